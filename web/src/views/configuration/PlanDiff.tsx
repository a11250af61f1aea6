import { Alert, Box, Code, Text } from '@mantine/core';
import { planLines, planSummary, type ConfigurationPlan, type LineKind } from './utils/planLines';

const COLORS: Record<LineKind, string | undefined> = {
  create: 'green.9',
  update: 'blue.9',
  delete: 'red.9',
  detail: undefined,
  widget: 'grape.9',
  refusal: 'red.9',
};

/** A plan as a readable diff, one line per change, field, agent, widget effect and refusal. */
export function PlanDiff({ plan }: { plan: ConfigurationPlan }) {
  const lines = planLines(plan);
  return (
    <section aria-labelledby="plan-heading">
      <Text component="h2" fw={700} size="lg" id="plan-heading" mb="xs">
        Plan
      </Text>
      <Alert color={plan.refusals.length ? 'red' : 'blue'} mb="sm">
        {planSummary(plan)}
      </Alert>
      {lines.length > 0 && (
        <Code
          block
          aria-label="Changes"
          style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
        >
          {lines.map((line, index) => (
            <Box
              key={index}
              component="span"
              c={COLORS[line.kind]}
              fw={line.kind === 'detail' ? 400 : 600}
              display="block"
            >
              {line.text}
            </Box>
          ))}
        </Code>
      )}
    </section>
  );
}
