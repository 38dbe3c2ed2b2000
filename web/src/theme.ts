import { useSyncExternalStore } from 'react';

/**
 * Light and dark: the system preference by default (prefers-color-scheme), or the reader's explicit choice, kept in
 * localStorage. The choice is applied as `data-theme` on <html>; the CSS holds both palettes.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'steward.theme';
const media = window.matchMedia('(prefers-color-scheme: dark)');
const listeners = new Set<() => void>();

export function themeChoice(): ThemeChoice {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

function resolved(): 'light' | 'dark' {
  const c = themeChoice();
  return c === 'system' ? (media.matches ? 'dark' : 'light') : c;
}

function apply(): void {
  document.documentElement.dataset.theme = resolved();
  for (const l of listeners) l();
}

export function setThemeChoice(choice: ThemeChoice): void {
  if (choice === 'system') localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, choice);
  apply();
}

export function initTheme(): void {
  media.addEventListener('change', apply);
  apply();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** The theme in effect ('light' | 'dark'), re-rendering when it changes. */
export function useTheme(): 'light' | 'dark' {
  return useSyncExternalStore(subscribe, resolved);
}

export function useThemeChoice(): ThemeChoice {
  return useSyncExternalStore(subscribe, themeChoice);
}
