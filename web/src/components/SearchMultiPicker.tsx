import { MultiSelect, type ComboboxParsedItem } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';

export interface PickerItem {
  value: string;
  label: string;
}

interface Props {
  label: string;
  description?: string;
  /** The chosen items, with their labels (the search answers hold only a page of candidates). */
  value: PickerItem[];
  onChange: (items: PickerItem[]) => void;
  /** Identifies the search in the query cache; the typed term is appended. */
  queryKey: readonly unknown[];
  /** The candidates for a typed term (the API searches; the picker does not filter them again). */
  search: (term: string) => Promise<PickerItem[]>;
  nothingFound: string;
  error?: string;
  disabled?: boolean;
}

/**
 * A multi-select over an API search (monitors, departments): what is typed is searched by the
 * API after a pause; the chosen items stay shown as pills with their labels.
 */
export function SearchMultiPicker({
  label,
  description,
  value,
  onChange,
  queryKey,
  search,
  nothingFound,
  error,
  disabled,
}: Props) {
  const [typed, setTyped] = useState('');
  const [term] = useDebouncedValue(typed.trim(), 250);
  const candidates = useQuery({
    queryKey: [...queryKey, term],
    queryFn: () => search(term),
    enabled: !disabled,
    staleTime: 10_000,
    placeholderData: keepPreviousData,
  });
  const found = new Set((candidates.data ?? []).map((item) => item.value));
  const known = new Map<string, string>();
  for (const item of [...value, ...(candidates.data ?? [])]) known.set(item.value, item.label);
  const data = [...known].map(([itemValue, itemLabel]) => ({ value: itemValue, label: itemLabel }));
  // The API answered for the term: its candidates all show; chosen items show when they match.
  const filter = ({ options, search: text }: { options: ComboboxParsedItem[]; search: string }) =>
    options.filter(
      (option) =>
        'value' in option &&
        (found.has(option.value) || option.label.toLowerCase().includes(text.toLowerCase())),
    );
  return (
    <MultiSelect
      label={label}
      description={description}
      data={data}
      value={value.map((item) => item.value)}
      onChange={(ids) => onChange(ids.map((id) => ({ value: id, label: known.get(id) ?? id })))}
      searchable
      searchValue={typed}
      onSearchChange={setTyped}
      filter={filter}
      nothingFoundMessage={candidates.isFetching ? 'Searching…' : nothingFound}
      clearable
      // Named and focusable, as the department pickers' clear button.
      clearButtonProps={{ 'aria-label': `Clear ${label}`, 'aria-hidden': false, tabIndex: 0 }}
      error={error}
      disabled={disabled}
    />
  );
}
