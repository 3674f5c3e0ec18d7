"""Shell: a bash script that sources a library, and a script run by path."""

from langcase import *

MAIN = '''\
#!/bin/bash
echo "main $$" >> "$AW_TEST_PIDLOG"
d=$(dirname "$0")
source "$d/lib.sh"
"$d/tool" >/dev/null
echo "loaded $LIBV"
[ -n "$AW_ONCE" ] && exit 0
echo "READY $$"
while :; do sleep 3600; done
'''


class TestShell(LangCase):

    def setUp(self):
        super().setUp()
        self.bash = self.need("bash")
        self.write("app/main.sh", MAIN, mode=0o755)
        self.write("app/lib.sh", "LIBV=1\n")
        # No extension: tracked because it is executed, not by its name.
        self.write("app/tool", "#!/bin/sh\necho tool\n", mode=0o755)
        self.files = ["app/main.sh", "app/lib.sh", "app/tool"]

    def test_list(self):
        self.assert_listed([self.bash, "app/main.sh"], self.files)

    def test_each_edit_restarts_once(self):
        self.restart_each([self.bash, "app/main.sh"],
                          [(f, "#") for f in reversed(self.files)], ready="^loaded 1$")

    def test_script_executed_by_path(self):
        self.restart_each([str(self.app / "main.sh")], [("app/main.sh", "#"), ("app/tool", "#")],
                          ready="^loaded 1$")

    # bash's read of "run" passes no extension filter: the shim reports the
    # script from AT_EXECFN when the kernel ran its interpreter
    def test_extensionless_script_as_command_listed(self):
        self.write("app/run", MAIN, mode=0o755)
        self.assert_listed([str(self.app / "run")], ["app/run", "app/lib.sh"])

    def test_extensionless_script_as_command_restarts(self):
        self.write("app/run", MAIN, mode=0o755)
        self.restart_each([str(self.app / "run")], [("app/run", "#")], ready="^loaded 1$")


if __name__ == "__main__":
    main()
