"""The docs chapters (docs/NN-*.md, issue 13) stay true to the tree: every
file path and function name a chapter cites in backticks exists, every
figure it shows exists and is up to date with its source, and the README
links every chapter, in order. No boot."""

import os
import re
import subprocess

from harness import ROOT, noboot

DOCS = os.path.join(ROOT, 'docs')
SOURCE_DIRS = ['arch', 'aspace', 'include', 'kernel', 'mm', 'user', 'tools', 'tests']
SOURCE_EXT = ('.c', '.h', '.asm', '.inc', '.ld', '.py', '')
# Backticked words that look like identifiers but name no symbol of ours:
# instructions, registers, CPU bits and fields, shell commands, C keywords.
NOT_SYMBOLS = {
    'iretq', 'sysret', 'syscall', 'swapgs', 'invlpg', 'lgdt', 'hlt', 'stac', 'clac', 'cpuid',
    'int3', 'rdtsc', 'wrmsr', 'rdmsr', 'stepi', 'sysretq', 'popfq',
}


def chapters():
    names = sorted(n for n in os.listdir(DOCS) if re.match(r'\d\d-[a-z0-9-]+\.md$', n))
    assert names, 'no docs/NN-*.md chapters'
    return names


_tree_text = None


def tree_text():
    """Every source file's text, joined (for symbol look-ups)."""
    global _tree_text
    if _tree_text is None:
        parts = []
        for d in SOURCE_DIRS:
            for dirpath, _, files in os.walk(os.path.join(ROOT, d)):
                for f in files:
                    if f.endswith(SOURCE_EXT) and not f.endswith(('.o', '.d')):
                        try:
                            parts.append(open(os.path.join(dirpath, f), errors='replace').read())
                        except OSError:
                            pass
        parts.append(open(os.path.join(ROOT, 'Makefile')).read())
        _tree_text = '\n'.join(parts)
    return _tree_text


def cited(text):
    """The backticked spans of a chapter, outside fenced code blocks."""
    text = re.sub(r'```.*?```', '', text, flags=re.S)
    return re.findall(r'`([^`\n]+)`', text)


def looks_like_path(s):
    return ('/' in s and ' ' not in s and not any(c in s for c in '("[') and not s.startswith(('-', '/bin', '/jos', '/tmp', '/etc', '/init'))
            and re.search(r'[a-z]', s) and not s.startswith('0x'))


@noboot
def test_chapters_cite_real_files():
    missing = []
    for ch in chapters():
        for span in cited(open(os.path.join(DOCS, ch)).read()):
            word = span.split()[0]
            if not looks_like_path(word):
                continue
            path = word.rstrip('.,:;)').split(':')[0]
            if not os.path.exists(os.path.join(ROOT, path)):
                missing.append(f'{ch}: `{span}`')
    assert not missing, 'chapters cite files that do not exist:\n  ' + '\n  '.join(missing)


@noboot
def test_chapters_cite_real_functions():
    """A backticked C identifier with an underscore (`paging_exception`,
    `pt_map_leaf`) or a call (`kmain(...)`) must occur in the sources."""
    text = tree_text()
    missing = []
    for ch in chapters():
        for span in cited(open(os.path.join(DOCS, ch)).read()):
            m = re.fullmatch(r'([A-Za-z_][A-Za-z0-9_]*)(\(.*\))?', span.strip())
            if not m:
                continue
            name = m.group(1)
            if name in NOT_SYMBOLS or ('_' not in name and not m.group(2)):
                continue
            if not re.search(r'\b' + re.escape(name) + r'\b', text):
                missing.append(f'{ch}: `{span}`')
    assert not missing, 'chapters cite names found nowhere in the tree:\n  ' + '\n  '.join(missing)


@noboot
def test_chapter_figures_exist():
    missing = []
    for ch in chapters():
        for fig in re.findall(r'\]\((figures/[^)]+)\)', open(os.path.join(DOCS, ch)).read()):
            if not os.path.exists(os.path.join(DOCS, fig)):
                missing.append(f'{ch}: {fig}')
    assert not missing, 'chapters show figures that do not exist:\n  ' + '\n  '.join(missing)


@noboot
def test_figures_up_to_date():
    r = subprocess.run(['tools/gen-figures', '--check'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@noboot
def test_readme_links_chapters_in_order():
    readme = open(os.path.join(ROOT, 'README.md')).read()
    links = re.findall(r'\]\(docs/(\d\d-[a-z0-9-]+\.md)\)', readme)
    want = chapters()
    assert [l for l in links if l in want] == want, \
        f'README.md must link every chapter once, in order:\n  want {want}\n  got  {links}'
    # Each chapter is numbered as its file name says.
    for ch in want:
        first = open(os.path.join(DOCS, ch)).readline()
        assert first.startswith(f'# {int(ch[:2])}. '), f'{ch}: first line {first!r} is not "# {int(ch[:2])}. ..."'
