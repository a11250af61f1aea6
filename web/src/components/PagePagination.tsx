import { Pagination, type PaginationProps } from '@mantine/core';

function controlLabel(control: string): string {
  if (control === 'previous') return 'Previous page';
  if (control === 'next') return 'Next page';
  return control;
}

/** Mantine's pagination, small, with spoken names for its pages and arrows. */
export function PagePagination(
  props: Omit<PaginationProps, 'size' | 'getItemProps' | 'getControlProps'>,
) {
  return (
    <Pagination
      size="sm"
      {...props}
      getItemProps={(item) => ({ 'aria-label': `Page ${item}` })}
      getControlProps={(control) => ({ 'aria-label': controlLabel(control) })}
    />
  );
}
