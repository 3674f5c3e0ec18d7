"""Perl: use lib + use Module, require, do FILE."""

from langcase import *

MAIN = '''\
use strict; use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use PMod;
BEGIN { open(my $f, ">>", $ENV{AW_TEST_PIDLOG}) or die; print $f "main $$\\n"; close $f; }
require "$FindBin::Bin/req.pl";
my $v = do "$FindBin::Bin/done.pl"; die "do: $@ $!" unless defined $v;
$| = 1;
print "loaded $PMod::V $v\\n";
exit 0 if $ENV{AW_ONCE};
print "READY $$\\n";
sleep 3600 while 1;
'''
FILES = ["app/main.pl", "app/lib/PMod.pm", "app/req.pl", "app/done.pl"]


class TestPerl(LangCase):

    def setUp(self):
        super().setUp()
        self.perl = self.need("perl")
        self.write("app/main.pl", MAIN)
        self.write("app/lib/PMod.pm", "package PMod; our $V = 1; 1;\n")
        self.write("app/req.pl", "1;\n")
        self.write("app/done.pl", "7;\n")
        self.cmd = [self.perl, "app/main.pl"]

    def test_list(self):
        self.assert_listed(self.cmd, FILES)

    def test_each_edit_restarts_once(self):
        self.restart_each(self.cmd, [(f, "#") for f in reversed(FILES)], ready="^loaded 1 7$")


if __name__ == "__main__":
    main()
