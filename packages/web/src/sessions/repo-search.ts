/** What the repository picker needs of an entry of `GET /api/repos`. */
export interface RepoChoice {
  repo: string;
  description?: string | undefined;
}

const MAX_SHOWN = 50;

/**
 * The repositories matching what has been typed, best first: every word must appear in the name
 * or the description; a name that starts with the query (or whose `name` part after the owner
 * does) comes before one that only contains it. Capped, so a deployment with thousands of
 * repositories still renders a short list as the person types.
 */
export function searchRepos<R extends RepoChoice>(repos: readonly R[], query: string): R[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return repos.slice(0, MAX_SHOWN);
  const first = words[0]!;
  const ranked: { repo: R; rank: number; order: number }[] = [];
  repos.forEach((r, order) => {
    const name = r.repo.toLowerCase();
    const haystack = `${name} ${r.description?.toLowerCase() ?? ''}`;
    if (!words.every((w) => haystack.includes(w))) return;
    const shortName = name.slice(name.lastIndexOf('/') + 1);
    const rank = name.startsWith(first) || shortName.startsWith(first) ? 0 : name.includes(first) ? 1 : 2;
    ranked.push({ repo: r, rank, order });
  });
  ranked.sort((a, b) => a.rank - b.rank || a.order - b.order);
  return ranked.slice(0, MAX_SHOWN).map((x) => x.repo);
}
