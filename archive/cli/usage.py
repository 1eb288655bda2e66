"""Click's usage errors as one line: the command, the input and the problem.

Click shows a usage error as three lines (``Usage: ...``, ``Try ... --help``, ``Error: ...``);
the archive's rule is one clear line for bad input, as the commands' own ``fail()`` gives, so
``main()`` prints ``usage_line(error)`` instead, e.g.
``archive export: --format: 'xml' is not one of 'jsonl', 'csv', 'warc'``.
"""

import click
from click.exceptions import BadParameter, MissingParameter, NoSuchOption

from archive.screen import shown


def usage_line(error: click.UsageError, root: click.Command, args: list[str]) -> str:
    """One line naming the command (``archive export``), the input and the problem.

    ``root`` is the ``archive`` group and ``args`` the command line after the program name:
    click leaves some errors without their context (an option missing its value), and the
    command is then found from the words of ``args`` that name commands.
    """
    command = error.ctx.command_path if error.ctx is not None else _path(root, args)
    return shown(f"{command}: {_problem(error)}")


def _path(root: click.Command, args: list[str]) -> str:
    names = ["archive"]
    command = root
    with click.Context(root, info_name="archive") as context:
        for word in args:
            if not isinstance(command, click.Group) or word.startswith("-"):
                break
            found = command.get_command(context, word)
            if found is None:
                break
            names.append(word)
            command = found
    return " ".join(names)


def _problem(error: click.UsageError) -> str:
    if isinstance(error, BadParameter) and not isinstance(error, MissingParameter):
        hint = _param_hint(error)
        if hint:
            return f"{hint}: {_sentence(error.message)}"
    if isinstance(error, NoSuchOption):
        # Click's "No such option '--x'. Did you mean '--y'?" is two sentences.
        problem = f"no such option {error.option_name!r}"
        if error.possibilities:
            problem += f" (did you mean {' or '.join(map(repr, error.possibilities))}?)"
        return problem
    return _sentence(error.format_message())


def _param_hint(error: BadParameter) -> str | None:
    """The parameter as the user spells it: ``-w/--workers``, ``URL``."""
    if error.param_hint is not None:
        if isinstance(error.param_hint, str):
            return error.param_hint
        return "/".join(error.param_hint)
    param = error.param
    if param is None:
        return None
    if isinstance(param, click.Option):
        return "/".join(param.opts)
    return param.human_readable_name


def _sentence(message: str) -> str:
    """A message as a clause after ``command: ``: one line, no capital, no final period."""
    text = " ".join(message.split()).rstrip(".")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text
