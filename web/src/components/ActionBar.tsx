import { Button, Group, Paper, Text } from '@mantine/core';

/**
 * The form's Save and Cancel, stuck to the bottom of the window while the form is in view, so
 * they are always at hand on a long page. Says when there are unsaved changes; Save waits for one.
 */
export function ActionBar({
  dirty,
  saving,
  onCancel,
  saveLabel = 'Save',
}: {
  dirty: boolean;
  saving: boolean;
  onCancel: () => void;
  saveLabel?: string;
}) {
  return (
    <Paper
      withBorder
      shadow="sm"
      p="sm"
      style={{ position: 'sticky', bottom: 0, zIndex: 10 }}
      role="group"
      aria-label="Form actions"
    >
      <Group justify="space-between" gap="sm">
        <Text size="sm" c="gray.7" aria-live="polite">
          {dirty ? 'Unsaved changes' : 'No unsaved changes'}
        </Text>
        <Group gap="sm">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          {/* Nothing to send until something changed (the text beside says so). */}
          <Button type="submit" loading={saving} disabled={!dirty}>
            {saveLabel}
          </Button>
        </Group>
      </Group>
    </Paper>
  );
}
