"""Edit me: autowrap restarts app.py when this file changes."""


def greet(name):
    return "Hello, %s!" % name
