/**
 * Direct and dev flags from a dependency graph, for lockfiles that do not record them (yarn.lock):
 * roots are the project's manifest dependencies; a node reachable from a production root is production,
 * a node reachable only from dev roots is dev.
 */
export interface GraphInput<K> {
  prodRoots: readonly K[];
  devRoots: readonly K[];
  edges: (node: K) => readonly K[];
}

export function reachability<K>(g: GraphInput<K>): { prod: Set<K>; dev: Set<K> } {
  const walk = (roots: readonly K[]): Set<K> => {
    const seen = new Set<K>();
    const stack = [...roots];
    while (stack.length > 0) {
      const n = stack.pop() as K;
      if (seen.has(n)) continue;
      seen.add(n);
      for (const m of g.edges(n)) if (!seen.has(m)) stack.push(m);
    }
    return seen;
  };
  return { prod: walk(g.prodRoots), dev: walk(g.devRoots) };
}

/** Dependencies of a package.json: prod (dependencies, optionalDependencies, peerDependencies) and dev. */
export interface ManifestDeps {
  prod: Map<string, string>;
  dev: Map<string, string>;
}
