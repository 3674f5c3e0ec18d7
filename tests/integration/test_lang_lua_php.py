"""Lua 5.4: require through package.path. PHP CLI: include and require."""

from langcase import *

LUA_MAIN = '''\
local f = assert(io.open(os.getenv("AW_TEST_PIDLOG"), "a"))
local pid = io.open("/proc/self/stat"):read("*l"):match("^(%d+)")
f:write("main " .. pid .. "\\n"); f:close()
local dir = arg[0]:match("^(.*)/")
package.path = dir .. "/lib/?.lua;" .. package.path
local lmod = require("lmod")
print("loaded " .. lmod.v)
if os.getenv("AW_ONCE") then os.exit(0) end
print("READY " .. pid)
io.stdout:flush()
os.execute("exec sleep 3600")
while true do os.execute("exec sleep 3600") end
'''

PHP_MAIN = '''\
<?php
file_put_contents(getenv("AW_TEST_PIDLOG"), "main " . getmypid() . "\\n", FILE_APPEND);
include __DIR__ . "/inc.php";
require "req.php";
echo "loaded $INC $REQ\\n";
if (getenv("AW_ONCE")) exit(0);
echo "READY " . getmypid() . "\\n";
while (true) sleep(3600);
'''


class TestLua(LangCase):

    def setUp(self):
        super().setUp()
        self.lua = self.need("lua5.4")
        self.write("app/main.lua", LUA_MAIN)
        self.write("app/lib/lmod.lua", "return { v = 1 }\n")
        self.cmd = [self.lua, str(self.app / "main.lua")]
        self.files = ["app/main.lua", "app/lib/lmod.lua"]

    def test_list(self):
        self.assert_listed(self.cmd, self.files)

    def test_each_edit_restarts_once(self):
        self.restart_each(self.cmd, [(f, "--") for f in reversed(self.files)], ready="^loaded 1$")


class TestPhp(LangCase):

    def setUp(self):
        super().setUp()
        self.php = self.need("php")
        self.write("app/main.php", PHP_MAIN)
        self.write("app/inc.php", "<?php\n$INC = 1;\n")
        # Found through include_path's "." (the cwd): a relative require.
        self.write("app/req.php", "<?php\n$REQ = 2;\n")
        # -n: no php.ini, so no extension modules. PHP dlopens them with
        # RTLD_DEEPBIND, which the sanitized shim's libasan refuses to run.
        self.cmd = [self.php, "-n", "-d", "include_path=" + str(self.app), str(self.app / "main.php")]
        self.files = ["app/main.php", "app/inc.php", "app/req.php"]

    def test_list(self):
        self.assert_listed(self.cmd, self.files)

    def test_each_edit_restarts_once(self):
        self.restart_each(self.cmd, [(f, "#") for f in reversed(self.files)], ready="^loaded 1 2$")


if __name__ == "__main__":
    main()
