import type { Artifact } from '@nightshift/protocol';
import type { ArtifactRepo } from '../store/store.js';
import { newId } from '../ids.js';

/**
 * A session's artifacts as they are reported. They are recorded one at a time: each takes the
 * next position in the store and is announced in the same order, whatever a database with
 * several connections would do with concurrent writes. So the artifact list and the timeline
 * always agree.
 */
export class ArtifactLog {
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sessionId: string,
    private readonly artifacts: ArtifactRepo,
    private readonly announce: (artifact: Artifact) => void,
  ) {}

  record(input: Omit<Artifact, 'id' | 'createdAt'>): Promise<Artifact> {
    const recorded = this.writes.then(async () => {
      const artifact: Artifact = { ...input, id: newId('art'), createdAt: new Date().toISOString() };
      await this.artifacts.insert(this.sessionId, artifact);
      this.announce(artifact);
      return artifact;
    });
    this.writes = recorded.catch(() => undefined);
    return recorded;
  }
}
