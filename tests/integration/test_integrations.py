"""The framework recipes of docs/integrations.md, run as written (a free port
for 8000, /usr/bin/python3 for python3) against the servers from Debian's
packages: each test starts the server under autowrap, edits a file, sees the
new answer over HTTP, and checks that autowrap's exit leaves no process of
the tree behind. The command lines must appear verbatim in the page, and
the files the page shows (devserver.py, server.js, server.rb, server.c, the
Makefile) are read from it, so page and test cannot drift apart."""

import http.client
import shlex
import socket
import urllib.error
import urllib.request

from harness import *

DOC_PATH = REPO / "docs" / "integrations.md"
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# Debian's programs first: a pyenv shim named flask (or uvicorn...) earlier
# on PATH would run another Python's package.
DEBIAN_PATH = "/usr/bin:/bin:" + os.environ.get("PATH", "")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def have_module(name):
    return subprocess.run([PY, "-c", "import " + name], capture_output=True,
                          timeout=60).returncode == 0


def doc_text():
    return DOC_PATH.read_text()


def doc_file(name):
    """The fenced block right after '<!-- file: NAME -->' in the page."""
    m = re.search(r"<!-- file: %s -->\n```[a-z]*\n(.*?)\n```\n" % re.escape(name),
                  doc_text(), re.S)
    if not m:
        raise AssertionError("docs/integrations.md shows no file %s" % name)
    return m.group(1) + "\n"


def get(port, timeout):
    with OPENER.open("http://127.0.0.1:%d/" % port, timeout=timeout) as r:
        return r.read().decode()


# Framework Python apps of the tests (the page only names their commands).
# Each answers "<greeting> from <what> pid <pid> parent <ppid>".
DJANGO = {
    "manage.py": '''\
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
''',
    "settings.py": '''\
SECRET_KEY = "test"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "urls"
INSTALLED_APPS = []
DATABASES = {}
''',
    "urls.py": '''\
from django.urls import path
import views
urlpatterns = [path("", views.index)]
''',
    "views.py": '''\
import os
from django.http import HttpResponse
GREETING = "hello"
def index(request):
    return HttpResponse("%s from django pid %d parent %d\\n"
                        % (GREETING, os.getpid(), os.getppid()), content_type="text/plain")
''',
}
FLASK = '''\
import os
from flask import Flask
GREETING = "hello"
app = Flask(__name__)
@app.route("/")
def index():
    return "%s from flask pid %d parent %d\\n" % (GREETING, os.getpid(), os.getppid())
'''
ASGI = '''\
import os
GREETING = "hello"
async def app(scope, receive, send):
    assert scope["type"] == "http"
    body = ("%s from uvicorn pid %d parent %d\\n" % (GREETING, os.getpid(), os.getppid())).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})
'''
WSGI = '''\
import os
GREETING = "hello"
def app(environ, start_response):
    body = ("%s from gunicorn pid %d parent %d\\n" % (GREETING, os.getpid(), os.getppid())).encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
'''
ANSWER_RX = r"^(?P<greeting>\w+) from \S+ pid (?P<pid>\d+)"


class TestIntegrations(AWTestCase):

    # -- set-up ------------------------------------------------------------
    def need_module(self, module, package):
        if not have_module(module):
            self.skipTest("python3 module %s is not installed (Debian package %s; "
                          "tests/setup.sh check installs it)" % (module, package))

    def need_exe(self, exe, package):
        path = shutil.which(exe, path=DEBIAN_PATH)
        if not path:
            self.skipTest("%s is not installed (Debian package %s; tests/setup.sh check "
                          "installs it)" % (exe, package))
        return path

    def setUp(self):
        super().setUp()
        self.broken = []  # failed requests other than refusals, in strict answers

    def recipe(self, line):
        """The autowrap command line of the page (asserted verbatim there) as
        (options, command), with this test's port for 8000."""
        self.assertIn(line, doc_text(), "docs/integrations.md lost the recipe")
        words = shlex.split(line.split("#")[0])
        self.assertEqual(words[0], "autowrap")
        sep = words.index("--")
        self.port = free_port()
        fix = {"python3": PY, "8000": str(self.port),
               "127.0.0.1:8000": "127.0.0.1:%d" % self.port}
        words = [fix.get(w, w) for w in words]
        return words[1:sep], words[sep + 1:]

    def files(self, files):
        for rel, text in files.items():
            self.write(Path("app") / rel, text)

    def launch(self, line):
        opts, cmd = self.recipe(line)
        aw = Autowrap(self, opts + ["--"] + cmd, self.app,
                      self.env(path=DEBIAN_PATH))
        self.addCleanup(self._stop_autowrap, aw)
        aw.generation(1, timeout=T)
        return aw

    # -- HTTP ----------------------------------------------------------------
    def answer(self, aw, greeting, strict=False, timeout=T):
        """Poll GET / until the answer carries greeting; return (pid, body).
        Failed requests are retried (a restart closes the port), except that
        strict (-S, autowrap holds the port) fails on the first refused
        connection; other failures (a server that closes connections it
        accepted but did not read yet when it stops) are counted in
        self.broken."""
        deadline = time.monotonic() + timeout
        last = None
        while True:
            left = deadline - time.monotonic()
            try:
                body = get(self.port, max(1.0, left))
                m = re.match(ANSWER_RX, body)
                if not m:
                    raise AssertionError("unexpected answer %r%s" % (body, aw.context()))
                if m.group("greeting") == greeting:
                    return int(m.group("pid")), body
                last = body
            except (urllib.error.URLError, http.client.HTTPException, ConnectionError,
                    socket.timeout) as e:
                refused = isinstance(getattr(e, "reason", e), ConnectionRefusedError)
                if strict and refused:
                    raise AssertionError("connection refused with the socket held by "
                                         "autowrap: %r%s" % (e, aw.context())) from None
                if strict:
                    self.broken.append(e)
                last = e
            if left <= 0:
                raise AssertionError("no answer %r within %ss (last: %r)%s"
                                     % (greeting, timeout, last, aw.context()))
            time.sleep(0.05)

    def set_greeting(self, rel, old, new):
        p = self.app / rel
        text = p.read_text()
        self.assertIn(old, text)
        p.write_text(text.replace(old, new, 1))

    def edit_and_see(self, aw, rel, old, new, gen, strict=False):
        """Change the greeting in rel (a Python/JS/Ruby string literal): exactly
        one restart (the next change line names rel, the next generation is
        gen) and the new answer over HTTP. strict (-S): ask at once and keep
        asking all through the restart, none refused. The answer returned is
        asked after the generation's start line (gunicorn's old master may
        fork a worker of the new code while it stops: not the new tree)."""
        self.set_greeting(rel, '"%s"' % old, '"%s"' % new)
        if strict:
            self.answer(aw, new, strict)
        aw.expect_change(os.path.basename(rel))
        aw.generation(gen)
        return self.answer(aw, new, strict)

    # -- teardown check --------------------------------------------------------
    def stop_and_check(self, aw, extra=()):
        """SIGTERM autowrap: it exits 143, and no process of the tree outlives it
        (the tree's pids are dead at once, anything with the test's token soon)."""
        tree = set(aw.descendants()) | set(extra)
        self.assertTrue(tree, "no process under autowrap" + aw.context())
        aw.send(signal.SIGTERM)
        self.assertEqual(aw.wait(T), 143, aw.context())
        left = [p for p in sorted(tree) if alive(p)]
        self.assertEqual(left, [], "processes of the tree outlived autowrap" + aw.context())
        self.assertEqual(wait_gone(pids_with_token(self.token)), [],
                         "processes with the test's token outlived autowrap")
        gens = [int(g) for g in re.findall(GEN_RX, "\n".join(aw.err.snapshot()))]
        return gens

    def simple(self, line, rel, files, what):
        """Start, answer, one edit, new answer, stop: exactly two generations."""
        self.files(files)
        aw = self.launch(line)
        pid1, _ = self.answer(aw, "hello")
        pid2, _ = self.edit_and_see(aw, rel, "hello", "edited", 2)
        self.assertNotEqual(pid1, pid2, what + " answered from the old process")
        self.assertFalse(alive(pid1), "the old %s process is still alive" % what)
        self.assertEqual(self.stop_and_check(aw, [pid2]), [1, 2])

    # -- the recipes -----------------------------------------------------------
    def test_django_runserver_noreload(self):
        self.need_module("django", "python3-django")
        self.simple("autowrap -- python3 manage.py runserver --noreload 8000",
                    "views.py", DJANGO, "django")

    def test_django_socket_devserver(self):
        """-S with the page's devserver.py: the port is never closed, so requests
        made all through a restart are answered, none refused."""
        self.need_module("django", "python3-django")
        self.files(dict(DJANGO, **{"devserver.py": doc_file("devserver.py")}))
        aw = self.launch("autowrap -S 8000 -- python3 devserver.py")
        pid1, _ = self.answer(aw, "hello", strict=True)
        pid2, _ = self.edit_and_see(aw, "views.py", "hello", "edited", 2, strict=True)
        self.assertNotEqual(pid1, pid2)
        # devserver.py finishes every connection it accepted: none broken either.
        self.assertEqual(self.broken, [], aw.context())
        self.assertEqual(self.stop_and_check(aw, [pid2]), [1, 2])

    def test_django_runserver_cannot_take_the_socket(self):
        """What the page says does not work: runserver binds the port itself."""
        self.need_module("django", "python3-django")
        self.files(DJANGO)
        opts, cmd = self.recipe("autowrap -- python3 manage.py runserver --noreload 8000")
        aw = Autowrap(self, ["-S", str(self.port), "--"] + cmd, self.app,
                      self.env(path=DEBIAN_PATH))
        self.addCleanup(self._stop_autowrap, aw)
        aw.expect_err(r"That port is already in use")
        aw.expect_err(EXIT_RX)

    def test_flask_run_no_reload(self):
        self.need_module("flask", "python3-flask")
        self.need_exe("flask", "python3-flask")
        self.simple("autowrap -- flask --app app run --no-reload --port 8000",
                    "app.py", {"app.py": FLASK}, "flask")

    def test_uvicorn(self):
        self.need_exe("uvicorn", "uvicorn")
        self.simple("autowrap -- uvicorn app:app --port 8000", "app.py", {"app.py": ASGI},
                    "uvicorn")

    def test_uvicorn_socket(self):
        self.need_exe("uvicorn", "uvicorn")
        self.files({"app.py": ASGI})
        aw = self.launch("autowrap -S 8000 -- uvicorn app:app --fd 3")
        pid1, _ = self.answer(aw, "hello", strict=True)
        pid2, _ = self.edit_and_see(aw, "app.py", "hello", "edited", 2, strict=True)
        self.assertNotEqual(pid1, pid2)
        self.assertEqual(self.stop_and_check(aw, [pid2]), [1, 2])

    def workers(self, aw, master, n=3):
        """The master's n worker pids, once it has forked them all."""
        deadline = time.monotonic() + T
        while True:
            kids = [p for p in proc_children_tree(master) if alive(p)]
            if len(kids) == n:
                return kids
            if time.monotonic() > deadline:
                raise AssertionError("master %d has workers %r, expected %d%s"
                                     % (master, kids, n, aw.context()))
            time.sleep(0.05)

    def gunicorn(self, line, strict, edits):
        """One edit: one restart of the whole tree. The master is autowrap's
        child (the workers' parent); after the edit the new answer comes from
        a new master's worker, and the old master and all its workers are
        gone. A second edit is generation 3: nothing restarted in between."""
        self.need_exe("gunicorn", "gunicorn")
        self.files({"app.py": WSGI})
        aw = self.launch(line)
        _, body = self.answer(aw, "hello", strict)
        master = int(re.search(r"parent (\d+)", body).group(1))
        old = [master] + self.workers(aw, master)
        steps = [("hello", "edited"), ("edited", "again")][:edits]
        for gen, (a, b) in enumerate(steps, 2):
            pid, body = self.edit_and_see(aw, "app.py", a, b, gen, strict)
            new_master = int(re.search(r"parent (\d+)", body).group(1))
            self.assertNotIn(new_master, old)
            left = [p for p in old if alive(p)]
            self.assertEqual(left, [], "old master/workers alive after the restart" + aw.context())
            old = [new_master] + self.workers(aw, new_master)
            self.assertIn(pid, old)
        self.assertEqual(self.stop_and_check(aw, old), list(range(1, edits + 2)))

    def test_gunicorn_prefork(self):
        self.gunicorn("autowrap -- gunicorn -w 3 -b 127.0.0.1:8000 app:app", False, 2)

    def test_gunicorn_socket(self):
        """gunicorn takes autowrap's socket from LISTEN_FDS: no refused request."""
        self.gunicorn("autowrap -S 8000 -- gunicorn -w 3 app:app", True, 1)

    def test_node_http(self):
        self.need_exe("node", "nodejs")
        self.simple("autowrap -- node server.js 8000", "greeting.js",
                    {"server.js": doc_file("server.js"), "greeting.js": doc_file("greeting.js")},
                    "node")

    def test_ruby_tcpserver(self):
        self.need_exe("ruby", "ruby")
        self.simple("autowrap -- ruby server.rb 8000", "greeting.rb",
                    {"server.rb": doc_file("server.rb"), "greeting.rb": doc_file("greeting.rb")},
                    "ruby")

    def make(self):
        env = self.env(path=DEBIAN_PATH)
        for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "CFLAGS", "CC"):
            env.pop(k, None)
        r = subprocess.run(["make"], cwd=str(self.app), env=env, capture_output=True,
                           timeout=120)
        self.assertEqual(r.returncode, 0, (r.stdout + r.stderr).decode(errors="replace"))

    def test_c_rebuilt_by_make(self):
        """Edit server.c, run make (as in another terminal): the linker deletes,
        writes and chmods ./server in steps, and autowrap restarts the server
        exactly once per make. A start held while the binary is not executable
        yet repeats its 'starting generation N' line but starts nothing: the
        generation numbers of two makes are 2 then 3, no start fails."""
        self.need_exe("make", "make")
        if not have_cc():
            self.skipTest("no cc")
        self.files({"Makefile": doc_file("Makefile"), "server.c": doc_file("server.c")})
        self.make()
        aw = self.launch("autowrap -- ./server 8000      # terminal 1")
        self.assertIn("make                           # terminal 2", doc_text())
        pid, _ = self.answer(aw, "hello")
        pids = [pid]
        for gen, (a, b) in enumerate([("hello", "edited"), ("edited", "again")], 2):
            self.set_greeting("server.c", '"%s"' % a, '"%s"' % b)
            self.make()
            aw.expect_change("server")
            # The previous make's held start may have left its repeated line.
            g = aw.generation()
            while g == gen - 1:
                g = aw.generation()
            self.assertEqual(g, gen, "generation of make %d" % (gen - 1) + aw.context())
            pid, _ = self.answer(aw, b)
            self.assertNotIn(pid, pids)
            self.assertFalse(alive(pids[-1]), "the old server is still alive")
            pids.append(pid)
        gens = self.stop_and_check(aw, [pid])
        self.assertEqual(sorted(set(gens)), [1, 2, 3], gens)
        self.assertEqual(gens, sorted(gens), "generation numbers went back")
        err = "\n".join(aw.err.snapshot())
        self.assertNotRegex(err, r"permission denied|exited with status|killed by", err)


if __name__ == "__main__":
    main()
