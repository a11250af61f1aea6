// Shapes of the API answers the console reads (docs/api.md).

export interface Me {
  _id: string;
  username: string;
  name?: string;
  roles: string[];
}

export interface Department {
  _id: string;
  name: string;
  email: string;
  enabled: boolean;
  showOnRegistration: boolean;
  showOnOfflineForm: boolean;
  description?: string;
  requestTagBeforeClosingChat?: boolean;
  chatClosingTags?: string[];
  fallbackForwardDepartment?: string;
  departmentsAllowedToForward?: string[];
  allowReceiveForwardOffline?: boolean;
  offlineMessageChannelName?: string;
  abandonedRoomsCloseCustomMessage?: string;
  waitingQueueMessage?: string;
  maxNumberSimultaneousChat?: number;
  visitorInactivityTimeoutInSeconds?: number;
  numAgents: number;
  archived?: boolean;
  businessHourId?: string;
  /** The unit the department is in (docs/api.md §14); `ancestors` is `[parentId]`. */
  parentId?: string;
  ancestors?: string[];
  _updatedAt: string;
}

export interface DepartmentAgent {
  _id: string;
  agentId: string;
  departmentId: string;
  username: string;
  count: number;
  order: number;
}

export interface Page {
  count: number;
  offset: number;
  total: number;
}

export interface Agent {
  _id: string;
  username: string;
  name?: string;
  status?: string;
  statusLivechat?: string;
}

export interface AgentDepartment {
  _id: string;
  departmentId: string;
  departmentName?: string;
  departmentEnabled: boolean;
  count: number;
  order: number;
}

export type HistoryAgent = string | { agentId: string; username?: string; name?: string };

export interface HistoryEntry {
  _id: string;
  departmentId: string;
  action: 'create' | 'update' | 'agents' | 'archive' | 'unarchive' | 'delete';
  user: { _id: string; username: string };
  ts: string;
  requestId?: string;
  /** `fromName`/`toName`: the names of ids, kept with the entry where the service records them. */
  changes?: { field: string; from: unknown; to: unknown; fromName?: unknown; toName?: unknown }[];
  /** Agents as ids, or as `{ agentId, username }` where the service keeps the name. */
  agents?: {
    added?: HistoryAgent[];
    removed?: HistoryAgent[];
    changed?: { agentId: string; username?: string; count?: number; order?: number }[];
    /** The username of every agent in added/removed/changed, as it was at the change. */
    users?: { _id: string; username: string }[];
  };
  /** Set on a clean-up another department's delete caused (its references to that one dropped). */
  cleanupOf?: {
    departmentId: string;
    departmentName?: string;
    deletedBy: { _id: string; username: string };
  };
}

export interface WorkHour {
  day: string;
  start: { time: string };
  finish: { time: string };
  open: boolean;
}

export interface BusinessHour {
  _id: string;
  name: string;
  active: boolean;
  type: 'default' | 'custom';
  timezone: { name: string; utc?: string };
  workHours: WorkHour[];
  departments?: { _id: string; name: string }[];
}

/** A unit: a group of departments with its monitors (docs/api.md §14). */
export interface Unit {
  _id: string;
  name: string;
  visibility: 'public' | 'private';
  type: 'u';
  numMonitors: number;
  numDepartments: number;
  _updatedAt?: string;
}

/** A monitor's link to a unit. */
export interface UnitMonitor {
  _id: string;
  monitorId: string;
  unitId: string;
  username: string;
}

/** A user holding the livechat-monitor role. */
export interface Monitor {
  _id: string;
  username: string;
  name?: string;
  emails?: { address: string; verified?: boolean }[];
}
