"""Ruby: require_relative, require through $LOAD_PATH, load."""

from langcase import *

MAIN = '''\
File.open(ENV["AW_TEST_PIDLOG"], "a") { |f| f.puts "main #{Process.pid}" }
require_relative "rel"
$LOAD_PATH.unshift(File.join(__dir__, "lib"))
require "lp"
load File.join(__dir__, "loaded.rb")
puts "loaded #{REL} #{LP} #{LOADED}"
exit if ENV["AW_ONCE"]
puts "READY #{Process.pid}"
$stdout.flush
sleep
'''
FILES = ["app/main.rb", "app/rel.rb", "app/lib/lp.rb", "app/loaded.rb"]


class TestRuby(LangCase):

    def setUp(self):
        super().setUp()
        self.ruby = self.need("ruby")
        self.write("app/main.rb", MAIN)
        self.write("app/rel.rb", "REL = 1\n")
        self.write("app/lib/lp.rb", "LP = 2\n")
        self.write("app/loaded.rb", "LOADED = 3\n")
        self.cmd = [self.ruby, "app/main.rb"]

    def test_list(self):
        self.assert_listed(self.cmd, FILES)

    def test_each_edit_restarts_once(self):
        self.restart_each(self.cmd, [(f, "#") for f in reversed(FILES)], ready="^loaded 1 2 3$")


if __name__ == "__main__":
    main()
