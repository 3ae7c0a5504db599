import { z } from 'zod';
import { Timestamp } from './common.js';

export const ArtifactType = z.enum(['branch', 'commit', 'pull_request', 'screenshot']);
export type ArtifactType = z.infer<typeof ArtifactType>;

export const Artifact = z.object({
  id: z.string(),
  type: ArtifactType,
  url: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  createdAt: Timestamp,
});
export type Artifact = z.infer<typeof Artifact>;

export const ArtifactList = z.object({ artifacts: z.array(Artifact) });
