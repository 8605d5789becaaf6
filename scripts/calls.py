#!/usr/bin/env python3
"""scripts/calls.py OBJECT...: which file calls which, and every cycle.

Reads each object's symbols with nm(1): a symbol it uses (U) and another
object defines (T, D, B, R, C) is an edge from the first file to the
second, a call or a read of a variable. Prints each group of files that
call each other in a circle, with its edges, and exits 1 when there is
one; prints nothing and exits 0 when there is none. -v prints every edge.

    make && python3 scripts/calls.py build/lib/*.o build/tools/*.o \\
        build/tools/*/*.o

srv-iter.o and server-calls.o define the same functions (server-calls.o is
srv-iter.c without its main()): pass one of them, or both, as you like;
edges go to each definer.
"""
import collections
import subprocess
import sys


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True,
                         check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        p = line.split()
        if len(p) == 2 and p[0] == "U":
            used.add(p[1])
        elif len(p) == 3 and p[1] in "TDBRC":
            defined.add(p[2])
    return defined, used


def cycles(graph, nodes):
    """Tarjan's strongly connected components of more than one node."""
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in nodes:
        if v not in index:
            visit(v)
    return found


def main(argv):
    verbose = "-v" in argv
    objs = [a for a in argv if a != "-v"]
    if not objs:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    definers = collections.defaultdict(set)
    uses = {}
    for o in objs:
        defined, used = symbols(o)
        uses[o] = used
        for s in defined:
            definers[s].add(o)
    graph = collections.defaultdict(set)
    for o in objs:
        for s in uses[o]:
            graph[o] |= definers.get(s, set()) - {o}
    if verbose:
        for o in objs:
            print(o, "->", " ".join(sorted(graph[o])))
    found = cycles(graph, objs)
    for group in found:
        print("cycle:", " ".join(group))
        for o in group:
            print("   ", o, "->", " ".join(x for x in sorted(graph[o])
                                          if x in group))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
