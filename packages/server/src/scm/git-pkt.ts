/** The ref updates at the start of a git receive-pack request (pkt-line format). */
export interface RefUpdate {
  oldSha: string;
  newSha: string;
  ref: string;
}

/**
 * Reads the command list of a push: pkt-lines of `<old> <new> <ref>` (the first one followed by
 * NUL and capabilities) up to the flush packet. Returns undefined when the body is not a
 * well-formed command list.
 */
export function parseReceivePackCommands(body: Buffer): RefUpdate[] | undefined {
  const updates: RefUpdate[] = [];
  let offset = 0;
  while (offset + 4 <= body.length) {
    const length = parseInt(body.subarray(offset, offset + 4).toString('ascii'), 16);
    if (Number.isNaN(length)) return undefined;
    if (length === 0) return updates; // flush: end of commands
    if (length < 4 || offset + length > body.length) return undefined;
    let line = body.subarray(offset + 4, offset + length).toString('utf8');
    offset += length;
    const nul = line.indexOf('\0');
    if (nul >= 0) line = line.slice(0, nul);
    if (line.startsWith('shallow ')) continue;
    const match = /^([0-9a-f]{40,64}) ([0-9a-f]{40,64}) (\S+)\n?$/.exec(line);
    if (!match) return undefined;
    updates.push({ oldSha: match[1]!, newSha: match[2]!, ref: match[3]! });
  }
  return undefined;
}
