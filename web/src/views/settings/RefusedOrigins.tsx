import { List, Text } from '@mantine/core';
import { useRefusedOrigins } from './useSettings';

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The sites that asked for the widget and were refused: what to add to the list above. */
export function RefusedOrigins() {
  const refused = useRefusedOrigins();
  // Not reported by this service (404) or not loaded: nothing to say.
  if (!refused.data) return null;
  return (
    <div>
      <Text size="sm" fw={600}>
        Recently refused sites
      </Text>
      {refused.data.length === 0 ? (
        <Text size="sm" c="gray.7">
          No site has been refused the widget.
        </Text>
      ) : (
        <List size="sm" aria-label="Recently refused sites">
          {refused.data.map((item) => (
            <List.Item key={item.origin}>
              <Text span size="sm" style={{ overflowWrap: 'anywhere' }}>
                {item.origin}
              </Text>{' '}
              <Text span size="sm" c="gray.7">
                ({item.count === 1 ? 'once' : `${item.count} times`}, last {when(item.lastSeenAt)})
              </Text>
            </List.Item>
          ))}
        </List>
      )}
    </div>
  );
}
