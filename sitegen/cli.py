"""The ``sitegen`` command: argument parsing and exit codes, nothing more.

Exit codes: 0 success, 1 problems in content or configuration, 2 usage errors.
Problems are printed as one readable block, never as a traceback.

Each command imports what it needs when it runs: the build, the checker and
the importer each take a tenth of a second or more to import, which
``sitegen --version`` or ``sitegen new`` should not pay for.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import Problem, SiteError, display_path, format_problems

if TYPE_CHECKING:
    from importlib import resources

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _site_option() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                        help="the site folder, the one holding site.yml (default: the current folder)")
    return parent


def cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildOptions, build_site
    from .config import load_config

    config = load_config(args.site)
    options = BuildOptions(output=args.out, drafts=args.drafts, future=args.future,
                           base_url=args.base_url, search=not args.no_search, clean=args.clean)
    result = build_site(config, options)
    if result.warnings:
        print(format_problems(result.warnings), file=sys.stderr)
    print(f"Built {result.briefings} briefings ({result.pages} pages, {result.rendered} rendered) into "
          f"{display_path(result.output, Path.cwd())} in {result.seconds:.2f} s")
    return EXIT_PROBLEMS if any(p.severity == "error" for p in result.warnings) else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    # Imported here: the preview server pulls in watchdog and http.server, which other commands never need.
    from .serve.session import ServeOptions, serve

    return serve(args.site, ServeOptions(host=args.host, port=args.port, open_browser=args.open,
                                         drafts=not args.no_drafts))


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number; write one from 1 to 65535, e.g. 8000")
    return int(text)


def cmd_check(args: argparse.Namespace) -> int:
    from .check import check_output
    from .config import load_config

    config = load_config(args.site)
    output = (args.out or config.output_dir).resolve()
    label = display_path(output, config.root)
    if not output.is_dir():
        raise SiteError([Problem(label, None, "no built site here", "run `sitegen build` first")])
    report = check_output(output, args.base_url or config.base_url, external=args.external, label=label)
    if report.problems:
        print(format_problems(report.problems), file=sys.stderr)
        return EXIT_PROBLEMS
    print(report.summary(label))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from .config import load_config
    from .importers import ImportOptions, import_articles

    config = load_config(args.site)
    options = ImportOptions(force=args.force, format=args.format, author=args.author or "", date=args.date,
                            tags=tuple(args.tag), tag_from_folder=args.tag_from_folder, lang=args.lang or "",
                            overwrite_edited=args.overwrite_edited, follow_links=args.follow_links)
    report = import_articles(config, args.paths, options)
    if report.problems or report.conflicts:
        print(format_problems(report.conflicts + report.problems), file=sys.stderr)
    print("\n".join(report.lines()))
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def _date_arg(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; write e.g. 2005-03-14 or 2005-03-14T09:30 (read in the site's timezone)") from None


def cmd_init(args: argparse.Namespace) -> int:
    target: Path = args.directory
    if (target / "site.yml").exists():
        print(f"{target / 'site.yml'} already exists; nothing was changed.", file=sys.stderr)
        return EXIT_PROBLEMS
    from importlib import resources

    starter = resources.files("sitegen") / "starter"
    for relpath, data in _walk(starter):
        destination = target / relpath
        if not destination.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
    (target / "seeds").mkdir(parents=True, exist_ok=True)
    print(f"Created a new site in {target}. Next:\n"
          f"  sitegen new \"My first briefing\" --site {target}\n"
          f"  sitegen build --site {target}")
    return EXIT_OK


def _walk(folder: resources.abc.Traversable, prefix: str = "") -> list[tuple[str, bytes]]:
    """Files of a package resource folder, as (relative path, bytes)."""
    files: list[tuple[str, bytes]] = []
    for entry in folder.iterdir():
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            files.extend(_walk(entry, name + "/"))
        elif entry.name != "__init__.py" and not entry.name.endswith(".pyc"):
            files.append((name, entry.read_bytes()))
    return files


def cmd_new(args: argparse.Namespace) -> int:
    from .config import load_config
    from .content import dump_front_matter, slugify
    from .fields import is_slug
    from .files import briefing_file

    config = load_config(args.site)
    now = datetime.now(config.tz).replace(microsecond=0)
    if args.slug and not is_slug(args.slug):
        suggestion = slugify(args.slug)
        print(f"error: --slug {args.slug!r} is not a slug: it must be lower-case words, digits and hyphens, "
              f"and it can never name a folder (no /, \\ or ..)\n"
              f"    hint: {'try --slug ' + suggestion if suggestion else 'write e.g. --slug idlib-talks'}",
              file=sys.stderr)
        return EXIT_USAGE
    if args.lang and args.lang not in (config.languages or [config.language]):
        listed = ", ".join(config.languages or [config.language])
        print(f"error: --lang {args.lang} is not one of the site's languages ({listed})\n"
              f"    hint: pass one of them, or add {args.lang} to `languages:` in site.yml", file=sys.stderr)
        return EXIT_USAGE
    slug = args.slug or slugify(args.title, ascii=config.slugs == "ascii")
    if not slug:
        print("error: cannot make a file name from this title; pass --slug some-words", file=sys.stderr)
        return EXIT_USAGE
    edition = args.lang if args.lang and args.lang != config.language else ""
    path = briefing_file(config.content_dir / edition, now, slug)  # content/<lang>/ gives the edition
    front: dict = {"title": args.title, "date": now}
    if args.translation_key:
        front["translation_key"] = args.translation_key
    if args.author:
        front["author"] = args.author
    tags = [t.strip() for t in (args.tags or "").split(",") if t.strip()]
    if tags:
        front["tags"] = tags
    if args.draft:
        front["draft"] = True
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(dump_front_matter(front, "Write the briefing here."))
    except FileExistsError:
        print(f"error: {display_path(path, Path.cwd())} already exists; it was left as it is.\n"
              f"    hint: pass --slug other-words to create a second briefing", file=sys.stderr)
        return EXIT_PROBLEMS
    print(display_path(path, Path.cwd()))
    return EXIT_OK


class _ImportFormats:
    """The importer's formats as ``--format`` choices, looked up only when ``import`` is parsed or explained."""

    @staticmethod
    def _names() -> tuple[str, ...]:
        from .importers import FORMATS

        return FORMATS

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sitegen",
        description="Briefing: build a static website from an archive of Markdown news briefings.",
        epilog="Run `sitegen COMMAND --help` for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    site = _site_option()

    build = commands.add_parser("build", parents=[site], help="build the website into the output folder",
                                description="Render every briefing and page into the output folder "
                                            "(site.yml `output:`, default public/). The previous site stays "
                                            "in place until the new one is complete.")
    build.add_argument("--out", type=Path, metavar="DIR", help="write the site here instead of site.yml's `output:`")
    build.add_argument("--drafts", action="store_true", help="include briefings marked `draft: true`")
    build.add_argument("--future", action="store_true", help="include briefings dated in the future")
    build.add_argument("--base-url", metavar="URL", help="override site.yml's base_url, e.g. https://example.org/briefings/")
    build.add_argument("--no-search", action="store_true",
                       help="skip building the search index (Pagefind). When Pagefind is missing or fails, "
                            "the site is still published, without an index, and the build exits with 1")
    build.add_argument("--clean", action="store_true",
                       help="ignore the build cache in .sitegen/ and render every page afresh")
    build.set_defaults(run=cmd_build)

    check = commands.add_parser("check", parents=[site], help="check the built site for broken links and other faults",
                                description="Read every page of the built site (site.yml `output:`) and report broken "
                                            "internal links, missing #anchors and assets, one page under two URLs, "
                                            "pages without a <title>. Exits 1 naming each problem.")
    check.add_argument("--external", action="store_true",
                       help="also request every http(s) link to other sites (HEAD, a few at a time, 10 s timeout)")
    check.add_argument("--out", type=Path, metavar="DIR", help="check this folder instead of site.yml's `output:`")
    check.add_argument("--base-url", metavar="URL", help="the base URL the site was built with, if not site.yml's")
    check.set_defaults(run=cmd_check)

    imp = commands.add_parser(
        "import", parents=[site], help="turn raw articles into Markdown briefings under content/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Turn each raw article (a .txt file, or every .txt under a folder; default: the site's\n"
                    "seeds/) into content/briefings/YYYY/MM/<slug>.md with front matter: title, date, authors,\n"
                    "editor, supervisor, tags, summary, lang, slug and source (the raw file and its sha256).",
        epilog="Formats:\n"
               "  auto      optional masthead lines (\"Editor in Chief <name>\", \"Rédacteur en chef <name>\",\n"
               "            \"رئيس التحرير <name>\"), the title, the dateline (\"Sat 14 Mar 2020 | 02:53 PM\",\n"
               "            \"samedi 14 mars 2020 à 14h53\", \"2020-03-14T14:53:00+01:00\", \"14/03/2020\"…), an\n"
               "            optional byline (\"By A and B\", \"Par A et B\", \"بقلم A و B\"), then paragraphs\n"
               "  masthead  the same, and a single role line before the title is always a masthead\n"
               "  plain     the first line is the title, the rest are paragraphs (needs --date)\n\n"
               "An article without a readable dateline is refused unless --date gives its date; the\n"
               "import never takes today's date or a file's modification time.\n\n"
               "Running it again is safe: unchanged raw files are skipped, a briefing edited by hand is never\n"
               "overwritten (a changed raw file for it is reported as a conflict), and two articles with the\n"
               "same title both survive. Exit status 1 if any file was skipped or is in conflict.\n\n"
               "Examples:\n"
               "  sitegen import\n"
               "  sitegen import ../corpus/bbc --tag-from-folder --date 2005-03-01\n"
               "  sitegen import wire/today.txt --format plain --author \"Desk staff\" --tag Syria")
    imp.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                     help="raw files or folders to import (default: the site's seeds/)")
    imp.add_argument("--force", action="store_true",
                     help="re-import even unchanged files; replaces only briefings the import wrote and nobody edited")
    imp.add_argument("--overwrite-edited", action="store_true",
                     help="with --force, also replace briefings edited by hand, after backing each up "
                          "under backups/import/")
    imp.add_argument("--follow-links", action="store_true",
                     help="read raw files through symbolic links that lead outside the folder imported "
                          "(each is named in a warning); by default they are skipped")
    imp.add_argument("--lang", metavar="CODE",
                     help="the articles' language (e.g. fr); by default it is detected from each text and "
                          "recorded as lang: when it differs from the site's language")
    imp.add_argument("--format", choices=_ImportFormats(), default="auto", metavar="FORMAT",  # type: ignore[arg-type]
                     help="the raw format: auto, masthead or plain; auto tells masthead from plain by its first "
                          "lines (default: auto)")
    imp.add_argument("--author", metavar="NAME", help="author of articles that name none (plain articles)")
    imp.add_argument("--date", type=_date_arg, metavar="DATE",
                     help="date of articles without a readable dateline, e.g. 2005-03-14 or 2005-03-14T09:30 "
                          "(read in the site's timezone); without it such articles are refused")
    imp.add_argument("--tag", action="append", default=[], metavar="TAG",
                     help="add this tag to every imported briefing; repeat for more")
    imp.add_argument("--tag-from-folder", action="store_true",
                     help="tag each briefing with the name of the folder its raw file is in")
    imp.set_defaults(run=cmd_import)

    init = commands.add_parser("init", help="create a new, buildable site folder",
                               description="Create DIR with a commented site.yml, content/ and seeds/. "
                                           "The site uses the built-in default theme. Existing files are never overwritten.")
    init.add_argument("directory", type=Path, metavar="DIR", help="the folder to create (may exist, if it has no site.yml)")
    init.set_defaults(run=cmd_init)

    new = commands.add_parser("new", parents=[site], help="start a new briefing file",
                              description="Create content/briefings/YYYY/MM/<slug>.md with front matter filled in "
                                          "(date = now in the site's timezone) and print its path.")
    new.add_argument("title", help="the briefing's title, in quotes")
    new.add_argument("--author", metavar="NAME", help="the author's name")
    new.add_argument("--tags", metavar="A,B", help="comma-separated topics, e.g. Syria,Turkey")
    new.add_argument("--slug", metavar="WORDS", help="the URL slug (default: made from the title)")
    new.add_argument("--draft", action="store_true", help="mark it as a draft (left out of builds unless --drafts)")
    new.add_argument("--lang", metavar="CODE", help="one of the site's `languages:`; a language other than the "
                                                    "default puts the file under content/<lang>/ (its edition)")
    new.add_argument("--translation-key", metavar="KEY",
                     help="shared with the briefing's versions in other languages, which it then links to")
    new.set_defaults(run=cmd_new)

    serve = commands.add_parser("serve", parents=[site], help="preview the site, rebuilding and reloading on every save",
                                description="Build the site with drafts and future-dated briefings into "
                                            ".sitegen/preview/ (never public/), serve it, and watch content/, seeds/, "
                                            "templates/, themes/, static/, locales/ (and the theme's catalogs) and "
                                            "site.yml: every save rebuilds, and open pages reload themselves or show "
                                            "what is wrong. Ctrl-C stops.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this computer only; "
                            "0.0.0.0 makes the preview reachable from the network)")
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on (default 8000; 0 picks a free one)")
    serve.add_argument("--open", action="store_true", help="open the preview in the web browser")
    serve.add_argument("--no-drafts", action="store_true",
                       help="leave out drafts and future-dated briefings, as `sitegen build` does")
    serve.set_defaults(run=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; turn every expected failure into a message and an exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except SiteError as error:
        print(format_problems(error.problems), file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130
    except OSError as error:
        print(f"error: {error.strerror or error}: {error.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_PROBLEMS
