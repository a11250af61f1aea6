import { ActionIcon, Menu } from '@mantine/core';

export interface RowMenuItem {
  label: string;
  onClick: () => void;
  color?: string;
}

/**
 * A row's actions (Rocket.Chat's kebab menu). The menu holds only its items, and focus lands on
 * the first one when it opens (no focus placeholder inside `role=menu`, which axe refuses).
 */
export function RowMenu({ label, items }: { label: string; items: RowMenuItem[] }) {
  return (
    <Menu position="bottom-end" withinPortal withInitialFocusPlaceholder={false}>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={label}>
          <span aria-hidden="true">⋮</span>
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        {items.map((item, index) => (
          <Menu.Item
            key={item.label}
            color={item.color}
            onClick={item.onClick}
            data-autofocus={index === 0 ? true : undefined}
          >
            {item.label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
