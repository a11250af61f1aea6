import { Anchor, type AnchorProps } from '@mantine/core';
import type { MouseEvent, ReactNode } from 'react';
import { useLocation } from 'wouter';
import { confirmLeave, onGuardEntry } from '../leave-guard';

/** Navigates in the app; replaces the unsaved-changes guard entry rather than stacking on it. */
export function useAppNavigate(): (to: string, options?: { replace?: boolean }) => void {
  const [, navigate] = useLocation();
  return (to, options) => navigate(to, { replace: options?.replace || onGuardEntry() });
}

/** An in-app link (a real <a href>) that asks before leaving unsaved changes. */
export function AppLink({
  to,
  children,
  ...props
}: AnchorProps & { to: string; children: ReactNode }) {
  const navigate = useAppNavigate();
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey
    )
      return;
    event.preventDefault();
    if (confirmLeave()) navigate(to);
  };
  return (
    <Anchor href={`/admin${to}`} onClick={onClick} {...props}>
      {children}
    </Anchor>
  );
}

/** Navigation from code (Cancel, row actions), honouring the unsaved-changes guard. */
export function useGuardedNavigate(): (to: string) => void {
  const navigate = useAppNavigate();
  return (to: string) => {
    if (confirmLeave()) navigate(to);
  };
}
