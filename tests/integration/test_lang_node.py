"""Node.js: require('./m'), require of a JSON file, an ES module import, a
package under node_modules/. Node's libuv stats through syscall(SYS_statx),
which the shim does not see (docs/design-notes.md, "Node.js and libuv"); the
files resolution ends on are opened through libc and so still tracked."""

from langcase import *

MAIN = '''\
const fs = require('fs');
fs.appendFileSync(process.env.AW_TEST_PIDLOG, 'main ' + process.pid + '\\n');
const m = require('./m');
const cfg = require('./config.json');
const pkg = require('pkg');
import('./esm.mjs').then((e) => {
  console.log('loaded ' + m.v + ' ' + cfg.v + ' ' + pkg.v + ' ' + e.v);
  if (process.env.AW_ONCE) process.exit(0);
  console.log('READY ' + process.pid);
  setInterval(() => {}, 1 << 30);
});
'''
FILES = ["app/main.js", "app/m.js", "app/config.json", "app/esm.mjs",
         "app/node_modules/pkg/package.json", "app/node_modules/pkg/index.js"]


class TestNode(LangCase):

    def setUp(self):
        super().setUp()
        self.node = self.need("node")
        self.write("app/main.js", MAIN)
        self.write("app/m.js", "exports.v = 1;\n")
        self.write("app/config.json", '{"v": 2}\n')
        self.write("app/esm.mjs", "export const v = 3;\n")
        self.write("app/node_modules/pkg/package.json", '{"name": "pkg", "main": "index.js"}\n')
        self.write("app/node_modules/pkg/index.js", "exports.v = 4;\n")
        self.cmd = [self.node, "app/main.js"]

    def test_list(self):
        self.assert_listed(self.cmd, FILES)

    def test_each_edit_restarts_once(self):
        edits = [(f, None if f.endswith(".json") else "//") for f in reversed(FILES)]
        self.restart_each(self.cmd, edits, ready="^loaded 1 2 4 3$")


if __name__ == "__main__":
    main()
