// The plan of a configuration (POST livechat/configuration.plan) as the lines of a readable
// diff: + created, ~ changed (before → after), - deleted, then the widget and the refusals.

export interface PlanChange {
  object: 'department' | 'unit' | 'businessHour' | 'setting';
  name: string;
  action: 'create' | 'update' | 'delete';
  fields?: { field: string; from: unknown; to: unknown }[];
  agents?: {
    added: string[];
    removed: string[];
    changed: { username: string; from: unknown; to: unknown }[];
  };
}

export interface PlanRefusal {
  object: PlanChange['object'];
  name: string;
  status: number;
  errorType: string;
  error: string;
}

export interface ConfigurationPlan {
  basedOn: string;
  changes: PlanChange[];
  refusals: PlanRefusal[];
  widget?: { appearing: string[]; vanishing: string[] };
}

export type LineKind = 'create' | 'update' | 'delete' | 'detail' | 'widget' | 'refusal';

export interface DiffLine {
  kind: LineKind;
  text: string;
}

const OBJECT_NAMES: Record<PlanChange['object'], string> = {
  department: 'Department',
  unit: 'Unit',
  businessHour: 'Business hours',
  setting: 'Setting',
};
const SIGNS: Record<PlanChange['action'], string> = { create: '+', update: '~', delete: '-' };

/** A value as the diff shows it: JSON, with nothing set as "(none)". */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  return JSON.stringify(value);
}

export function planLines(plan: ConfigurationPlan): DiffLine[] {
  const lines: DiffLine[] = [];
  for (const change of plan.changes) {
    lines.push({
      kind: change.action,
      text: `${SIGNS[change.action]} ${OBJECT_NAMES[change.object]} "${change.name}"`,
    });
    for (const field of change.fields ?? []) {
      lines.push({
        kind: 'detail',
        text:
          change.action === 'create'
            ? `    ${field.field}: ${showValue(field.to)}`
            : `    ${field.field}: ${showValue(field.from)} → ${showValue(field.to)}`,
      });
    }
    for (const username of change.agents?.added ?? []) {
      lines.push({ kind: 'detail', text: `    agent added: ${username}` });
    }
    for (const username of change.agents?.removed ?? []) {
      lines.push({ kind: 'detail', text: `    agent removed: ${username}` });
    }
    for (const agent of change.agents?.changed ?? []) {
      lines.push({
        kind: 'detail',
        text: `    agent ${agent.username}: ${showValue(agent.from)} → ${showValue(agent.to)}`,
      });
    }
  }
  if (plan.widget?.appearing.length) {
    lines.push({
      kind: 'widget',
      text: `Appears in the widget: ${plan.widget.appearing.join(', ')}`,
    });
  }
  if (plan.widget?.vanishing.length) {
    lines.push({
      kind: 'widget',
      text: `Vanishes from the widget: ${plan.widget.vanishing.join(', ')}`,
    });
  }
  for (const refusal of plan.refusals) {
    lines.push({
      kind: 'refusal',
      text: `Refused: ${OBJECT_NAMES[refusal.object]} "${refusal.name}": ${refusal.error.replace(/\s*\[[\w-]+\]$/, '')}`,
    });
  }
  return lines;
}

/** The summary line above the diff. */
export function planSummary(plan: ConfigurationPlan): string {
  if (plan.refusals.length) {
    return `${plan.refusals.length === 1 ? '1 part is' : `${plan.refusals.length} parts are`} refused: nothing can be applied.`;
  }
  if (plan.changes.length === 0) return 'No changes: the service already has this configuration.';
  return plan.changes.length === 1
    ? '1 change to apply.'
    : `${plan.changes.length} changes to apply.`;
}
