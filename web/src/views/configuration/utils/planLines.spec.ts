import { planLines, planSummary, showValue, type ConfigurationPlan } from './planLines';

const plan: ConfigurationPlan = {
  basedOn: 'v1',
  changes: [
    {
      object: 'department',
      name: 'Sales',
      action: 'update',
      fields: [{ field: 'description', from: null, to: 'Buyers' }],
      agents: {
        added: ['cy'],
        removed: ['bob'],
        changed: [{ username: 'ann', from: { count: 0, order: 0 }, to: { count: 0, order: 2 } }],
      },
    },
    {
      object: 'department',
      name: 'Billing',
      action: 'create',
      fields: [{ field: 'email', from: null, to: 'b@example.com' }],
    },
    { object: 'unit', name: 'Europe', action: 'delete' },
  ],
  refusals: [],
  widget: { appearing: ['Billing'], vanishing: [] },
};

describe('planLines', () => {
  it('writes a change as a diff: sign, object, field before → after, agents', () => {
    expect(planLines(plan)).toEqual([
      { kind: 'update', text: '~ Department "Sales"' },
      { kind: 'detail', text: '    description: (none) → "Buyers"' },
      { kind: 'detail', text: '    agent added: cy' },
      { kind: 'detail', text: '    agent removed: bob' },
      { kind: 'detail', text: '    agent ann: {"count":0,"order":0} → {"count":0,"order":2}' },
      { kind: 'create', text: '+ Department "Billing"' },
      { kind: 'detail', text: '    email: "b@example.com"' },
      { kind: 'delete', text: '- Unit "Europe"' },
      { kind: 'widget', text: 'Appears in the widget: Billing' },
    ]);
  });

  it('lists refusals without their error code, and the summary says nothing can be applied', () => {
    const refused: ConfigurationPlan = {
      ...plan,
      refusals: [
        {
          object: 'department',
          name: 'Sales',
          status: 400,
          errorType: 'error-agent-not-found',
          error: 'Agent not found: x [error-agent-not-found]',
        },
      ],
    };
    expect(planLines(refused).at(-1)).toEqual({
      kind: 'refusal',
      text: 'Refused: Department "Sales": Agent not found: x',
    });
    expect(planSummary(refused)).toBe('1 part is refused: nothing can be applied.');
  });

  it('summarises changes, and an identical document as no changes', () => {
    expect(planSummary(plan)).toBe('3 changes to apply.');
    expect(planSummary({ basedOn: 'v', changes: [], refusals: [] })).toBe(
      'No changes: the service already has this configuration.',
    );
    expect(showValue(undefined)).toBe('(none)');
  });
});
