import { MultiSelect, Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get } from '../api';
import { queryKeys } from '../query-keys';

interface Item {
  _id: string;
  name: string;
}

/** Departments by name prefix (department.autocomplete), plus the names of ids already chosen. */
function useDepartmentOptions(search: string, chosen: string[], exclude: string | undefined) {
  const [term] = useDebouncedValue(search.trim(), 250);
  const matches = useQuery({
    queryKey: queryKeys.departments.autocomplete(term, exclude),
    queryFn: () =>
      get<{ items: Item[] }>('livechat/department.autocomplete', {
        selector: JSON.stringify({ term, exceptions: exclude ? [exclude] : [] }),
        // A monitor is offered its units' departments only (docs/api.md §14).
        onlyMyDepartments: true,
      }),
    staleTime: 30_000,
  });
  const sortedChosen = [...chosen].sort();
  const names = useQuery({
    queryKey: queryKeys.departments.byIds(sortedChosen),
    enabled: sortedChosen.length > 0,
    staleTime: 60_000,
    queryFn: async () => {
      const params = new URLSearchParams();
      for (const id of sortedChosen) params.append('ids[]', id);
      params.set('fields', JSON.stringify({ name: 1 }));
      return get<{ departments: Item[] }>(`livechat/department.listByIds?${params.toString()}`);
    },
  });
  const options = new Map<string, string>();
  for (const item of names.data?.departments ?? []) options.set(item._id, item.name);
  for (const item of matches.data?.items ?? []) options.set(item._id, item.name);
  for (const id of chosen) if (!options.has(id)) options.set(id, id);
  return [...options].map(([value, label]) => ({ value, label }));
}

/**
 * The clear button as a named, focusable button: Mantine hides it from keyboards and screen
 * readers, and emptying a picker's text does not clear its value, so it is the only way to clear.
 */
function clearButtonProps(label: string) {
  return { 'aria-label': `Clear ${label}`, 'aria-hidden': false, tabIndex: 0 } as const;
}

interface MultiProps {
  label: string;
  value: string[];
  onChange: (value: string[]) => void;
  exclude?: string;
  error?: string;
  disabled?: boolean;
}

export function DepartmentMultiPicker({
  label,
  value,
  onChange,
  exclude,
  error,
  disabled,
}: MultiProps) {
  const [search, setSearch] = useState('');
  const data = useDepartmentOptions(search, value, exclude);
  return (
    <MultiSelect
      label={label}
      data={data}
      value={value}
      onChange={onChange}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      nothingFoundMessage="No department found"
      clearable
      clearButtonProps={clearButtonProps(label)}
      error={error}
      disabled={disabled}
    />
  );
}

interface SingleProps {
  label: string;
  value: string | null;
  onChange: (value: string | null) => void;
  exclude?: string;
  error?: string;
  disabled?: boolean;
  description?: string;
}

export function DepartmentPicker({
  label,
  value,
  onChange,
  exclude,
  error,
  disabled,
  description,
}: SingleProps) {
  // The input shows the chosen name; that text is not a search for other departments.
  const [term, setTerm] = useState('');
  const data = useDepartmentOptions(term, value ? [value] : [], exclude);
  const selectedLabel = data.find((option) => option.value === value)?.label;
  return (
    <Select
      label={label}
      description={description}
      data={data}
      value={value}
      onChange={onChange}
      searchable
      onSearchChange={(next) => setTerm(next === selectedLabel ? '' : next)}
      nothingFoundMessage="No department found"
      clearable
      clearButtonProps={clearButtonProps(label)}
      error={error}
      disabled={disabled}
    />
  );
}
