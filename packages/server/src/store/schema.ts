/** Table shapes as stored. JSON columns hold text; timestamps are ISO strings. */
export interface Database {
  sessions: SessionsTable;
  messages: MessagesTable;
  events: EventsTable;
  artifacts: ArtifactsTable;
  sandboxes: SandboxesTable;
  people: PeopleTable;
  browser_sessions: BrowserSessionsTable;
  api_tokens: ApiTokensTable;
  secrets: SecretsTable;
  model_usage: ModelUsageTable;
  github_deliveries: GitHubDeliveriesTable;
}

export interface SessionsTable {
  id: string;
  repo: string;
  base_branch: string;
  branch: string;
  title: string | null;
  model: string | null;
  status: string;
  sandbox_status: string;
  created_at: string;
  updated_at: string;
  /** Status to return to on unarchive. */
  status_before_archive: string | null;
}

export interface MessagesTable {
  id: string;
  session_id: string;
  /** Acceptance order within the session; the queue runs in this order. */
  position: number;
  text: string;
  author_name: string;
  author_email: string;
  model: string | null;
  status: string;
  error: string | null;
  client_request_id: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface EventsTable {
  session_id: string;
  seq: number;
  type: string;
  at: string;
  data: string;
}

export interface ArtifactsTable {
  id: string;
  session_id: string;
  type: string;
  url: string | null;
  data: string;
  created_at: string;
  /** Order within the session, from 1: the order of their artifact_created events. */
  position: number;
}

export interface SandboxesTable {
  id: string;
  session_id: string;
  provider: string;
  /** sha256 of the bridge token; the token itself is never stored. */
  token_hash: string;
  status: string;
  /** Provider-specific handle (e.g. the launcher pid) so a restarted control plane can adopt it. */
  handle: string | null;
  /** Highest bridge message id whose effects are stored: re-sent messages up to it are dropped. */
  last_bridge_id: number;
  created_at: string;
  ended_at: string | null;
}

export interface SecretsTable {
  name: string;
  /** '' for a global secret. */
  repo: string;
  scope: string;
  /** base64 of iv, GCM tag and ciphertext (`secrets/cipher.ts`); never the value. */
  sealed: string;
  updated_at: string;
  /** The email of who set it, null in local mode. */
  updated_by: string | null;
}

/** One model call through the proxy (`models/usage-ledger.ts`). */
export interface ModelUsageTable {
  id: string;
  session_id: string;
  /** The prompt running in the session when the call was made, if any. */
  message_id: string | null;
  author_email: string | null;
  author_name: string | null;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number;
  /** 0 when the model is in no price table: its cost is counted as 0. */
  priced: number;
  created_at: string;
}

export interface PeopleTable {
  id: string;
  /** Lowercased: one person per address, however a provider spells it. */
  email: string;
  name: string;
  role: string;
  github_login: string | null;
  /** JSON array of organisation logins, as of the last GitHub sign-in. */
  github_orgs: string;
  /** Reserved for the GitHub user token (issue 11); not written yet. */
  github_token: string | null;
  created_at: string;
  last_seen_at: string | null;
}

export interface BrowserSessionsTable {
  /** sha256 of the cookie value; the value itself is never stored. */
  id: string;
  person_id: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface ApiTokensTable {
  id: string;
  person_id: string;
  name: string;
  /** sha256 hex of the token; the token itself is shown once and never stored. */
  hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A GitHub webhook delivery; `payload` is kept only until it is handled (migration 0008). */
export interface GitHubDeliveriesTable {
  id: string;
  event: string;
  payload: string | null;
  received_at: string;
  handled_at: string | null;
}
