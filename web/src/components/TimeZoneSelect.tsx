import { Select } from '@mantine/core';

export const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const TIME_ZONES: string[] = (() => {
  const supported = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] })
    .supportedValuesOf;
  const zones = supported ? supported('timeZone') : [];
  return [...new Set(['UTC', BROWSER_ZONE, ...zones])];
})();

/**
 * A time zone, searched by any part of its name ("tokyo" finds Asia/Tokyo). Focusing the box
 * selects its text, so typing replaces the current zone instead of appending to it; a search
 * that matches nothing says so.
 */
export function TimeZoneSelect({
  value,
  onChange,
  disabled,
}: {
  value: string;
  onChange: (zone: string) => void;
  disabled: boolean;
}) {
  return (
    <Select
      mt="md"
      label="Time zone"
      description={`Your browser's time zone is ${BROWSER_ZONE}.`}
      data={TIME_ZONES}
      value={value}
      onChange={(zone) => zone && onChange(zone)}
      onFocus={(event) => event.currentTarget.select()}
      searchable
      allowDeselect={false}
      nothingFoundMessage="No time zone matches. Try a city, like Tokyo or Berlin."
      limit={50}
      disabled={disabled}
    />
  );
}
