import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get } from '../api';
import type { Agent, Page } from '../types';
import { queryKeys } from '../query-keys';

interface Props {
  /** Agents already in the list, left out of the options. */
  exclude: string[];
  onPick: (agent: Agent) => void;
  disabled?: boolean;
}

/** "Add agent": a combobox over livechat/users/agent?text=; picking an option adds it and clears. */
export function AgentPicker({ exclude, onPick, disabled }: Props) {
  const [search, setSearch] = useState('');
  const [text] = useDebouncedValue(search.trim(), 250);
  const agents = useQuery({
    queryKey: queryKeys.agents.search(text),
    queryFn: () => get<Page & { users: Agent[] }>('livechat/users/agent', { text, count: 20 }),
    staleTime: 10_000,
  });
  const options = (agents.data?.users ?? []).filter((agent) => !exclude.includes(agent._id));
  return (
    <Select
      label="Add agent"
      placeholder="Search by username or name"
      data={options.map((agent) => ({
        value: agent._id,
        label:
          agent.name && agent.name !== agent.username
            ? `${agent.username} (${agent.name})`
            : agent.username,
      }))}
      value={null}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: all }) => all}
      nothingFoundMessage={agents.isFetching ? 'Searching…' : 'No agent found'}
      onChange={(id) => {
        const agent = options.find((candidate) => candidate._id === id);
        if (agent) onPick(agent);
        setSearch('');
      }}
      disabled={disabled}
    />
  );
}
