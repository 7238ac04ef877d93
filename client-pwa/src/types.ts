// Wire shapes from design/sync-protocol.md plus the server's schema export.

export type Fields = Record<string, unknown>;

export interface User {
  id: string;
  name: string;
  role: string;
  squad_id: string | null;
}

export interface Community {
  id: string;
  name: string;
  squad_id: string | null;
}

export interface ApiError {
  code: string;
  message: string;
  field?: string;
}

export interface Mutation {
  id: string;
  seq: number;
  hlc: string;
  kind: string;
  record_id: string;
  community_id: string;
  base_version: number;
  fields: Fields;
}

export interface PushResult {
  id: string;
  status: 'applied' | 'duplicate' | 'rejected';
  error?: ApiError;
}

export interface PushResponse {
  acked_seq: number;
  server_time: number;
  hlc: string;
  results: PushResult[];
}

export interface PulledRecord {
  kind: string;
  id: string;
  community_id: string;
  version: number;
  fields: Fields;
  updated_at?: string;
  created_by?: string;
  created_at?: string;
}

export interface PullResponse {
  cursor: string;
  has_more: boolean;
  server_time: number;
  hlc: string;
  records: PulledRecord[];
  purge?: string[];
}

export type FieldType =
  | 'text' | 'longtext' | 'int' | 'bool' | 'datetime' | 'enum' | 'text_list' | 'gps' | 'ref' | 'sha256';

export interface Option {
  value: string;
  label: string;
}

export interface FieldSpec {
  name: string;
  label: string;
  type: FieldType;
  required: boolean;
  max_length: number | null;
  options: Option[] | null;
  ref_kind: string | null;
  hidden: boolean;
  /** Written only by the server (a resident's answer): shown on detail screens, never edited. */
  readonly?: boolean;
}

export interface KindSpec {
  kind: string;
  label: string;
  parent: { field: string; kind: string } | null;
  fields: FieldSpec[];
}

export interface ChecklistItem {
  id: string;
  label: string;
  group: string;
}

export interface SchemaExport {
  schema_version: number;
  kinds: KindSpec[];
  checklist: { version: string; items: ChecklistItem[] };
  case_statuses: Option[];
}

export interface ConflictEntry {
  id: string;
  kind: string;
  record_id: string;
  community_id: string;
  field: string;
  winner: { value: unknown; hlc: string; device_id: string; user_id: string };
  loser: { value: unknown; hlc: string; device_id: string; user_id: string };
  detected_at: string;
  resolved_at: string | null;
}
