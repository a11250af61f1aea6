import { Button, Table, Text, VisuallyHidden } from '@mantine/core';
import { Controller, useFieldArray, type UseFormReturn } from 'react-hook-form';
import { AgentPicker } from '../../../components/AgentPicker';
import type { DepartmentFormValues } from '../utils/formatDepartmentPayload';
import { Section } from '../../../components/Section';
import { WholeNumberInput, wholeNumberRule } from '../../../components/WholeNumberInput';

const label = (name: 'count' | 'order') => (name === 'count' ? 'Count' : 'Order');

/** The department's agents: add by search, set count and order, remove. Read-only without the permission. */
export function AgentsSection({
  form,
  mayEdit,
  mayPick,
}: {
  form: UseFormReturn<DepartmentFormValues>;
  mayEdit: boolean;
  /** The "Add agent" search reads livechat/users/agent, which needs manage-livechat-agents. */
  mayPick: boolean;
}) {
  const { control, formState } = form;
  const agents = useFieldArray({ control, name: 'agents', keyName: 'key' });
  return (
    <Section legend="Agents" disabled={!mayEdit}>
      {mayEdit && mayPick && (
        <AgentPicker
          exclude={agents.fields.map((agent) => agent.agentId)}
          // Focus stays in "Add agent", so the next agent can be typed straight away.
          onPick={(agent) =>
            agents.append(
              {
                agentId: agent._id,
                username: agent.username,
                name: agent.name,
                count: 0,
                order: 0,
              },
              { shouldFocus: false },
            )
          }
        />
      )}
      {mayEdit && !mayPick && (
        <Text size="sm" c="gray.7">
          No “Add agent” here: finding users to add needs a manager or an administrator (the
          manage-livechat-agents permission). You can change the count and order of this
          department's agents, or remove them.
        </Text>
      )}
      {formState.errors.agents?.message && (
        <Text c="red.7" size="sm" mt="xs" role="alert">
          {formState.errors.agents.message}
        </Text>
      )}
      {agents.fields.length === 0 ? (
        <Text c="gray.7" mt="md">
          No agents in this department.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={0} mt="md">
          <Table
            aria-label="Department agents"
            verticalSpacing="xs"
            className="stacked-table"
            role="table"
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Agent</Table.Th>
                <Table.Th>Count</Table.Th>
                <Table.Th>Order</Table.Th>
                {mayEdit && (
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {agents.fields.map((agent, index) => (
                <Table.Tr key={agent.key} role="row">
                  <Table.Td role="cell" data-label="Agent" style={{ overflowWrap: 'anywhere' }}>
                    {agent.username}
                  </Table.Td>
                  {(['count', 'order'] as const).map((name) =>
                    mayEdit ? (
                      <Table.Td key={name} role="cell" data-label={label(name)}>
                        <Controller
                          control={control}
                          name={`agents.${index}.${name}`}
                          rules={{ validate: wholeNumberRule(true) }}
                          render={({ field, fieldState }) => (
                            <WholeNumberInput
                              aria-label={`${label(name)} of ${agent.username}`}
                              value={field.value}
                              onChange={field.onChange}
                              onBlur={field.onBlur}
                              ref={field.ref}
                              error={fieldState.error?.message}
                              w={80}
                            />
                          )}
                        />
                      </Table.Td>
                    ) : (
                      <Table.Td key={name} role="cell" data-label={label(name)}>
                        {agent[name]}
                      </Table.Td>
                    ),
                  )}
                  {mayEdit && (
                    <Table.Td role="cell">
                      <Button
                        variant="subtle"
                        color="red"
                        size="xs"
                        px={6}
                        onClick={() => agents.remove(index)}
                        aria-label={`Remove ${agent.username}`}
                      >
                        Remove
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Section>
  );
}
