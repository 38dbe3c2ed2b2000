import { lazy, Suspense, useEffect, useSyncExternalStore, type ReactNode } from 'react';
import { forgetToken, onSignedOut, storedToken } from './api/client';
import { Loading } from './components/page';
import { AuditPage } from './pages/audit.page';
import { CostPage } from './pages/cost.page';
import { DiscoveryPage } from './pages/discovery.page';
import { CadencesPage } from './pages/cadences.page';
import { FindingsPage } from './pages/findings.page';
import { ForumPage } from './pages/forum.page';
import { InventoryObjectPage } from './pages/inventory-object.page';
import { InventoryPage } from './pages/inventory.page';
import { LoginPage } from './pages/login.page';
import { NotFoundPage } from './pages/not-found.page';
import { OverviewPage } from './pages/overview.page';
import { PeoplePage } from './pages/people.page';
import { PersonPage } from './pages/person.page';
import { RaciPage } from './pages/raci.page';
import { ScorecardPage } from './pages/scorecard.page';
import { SessionPage } from './pages/session.page';
import { SessionsPage } from './pages/sessions.page';
import { ToolsPage } from './pages/tools.page';
import { kindFromPath } from './api/governance.types';
import { Link, match, navigate, useLocation } from './router';
import { setThemeChoice, useThemeChoice, type ThemeChoice } from './theme';

// Cytoscape is large and only the access graph needs it: that page is loaded when first opened.
const GraphPage = lazy(() => import('./pages/graph.page').then((m) => ({ default: m.GraphPage })));

const NAV = [
  { href: '/', label: 'Overview', section: '' },
  { href: '/people', label: 'People', section: 'people' },
  { href: '/sessions', label: 'Sessions', section: 'sessions' },
  { href: '/tools', label: 'Tools & connectors', section: 'tools' },
  { href: '/discovery', label: 'Discovery', section: 'discovery' },
  { href: '/graph', label: 'Access graph', section: 'graph' },
  { href: '/cost', label: 'Cost', section: 'cost' },
  { href: '/audit', label: 'Audit log', section: 'audit' },
];

/** The governance pages (issue 6), a second group in the sidebar. */
const GOVERNANCE_NAV = [
  { href: '/inventory', label: 'Inventory', section: 'inventory' },
  { href: '/cadences', label: 'Cadences', section: 'cadences' },
  { href: '/forum', label: 'Forum', section: 'forum' },
  { href: '/raci', label: 'RACI', section: 'raci' },
  { href: '/findings', label: 'Findings', section: 'findings' },
  { href: '/scorecard', label: 'Scorecard', section: 'scorecard' },
];

function route(path: string): ReactNode {
  if (path === '/' || path === '') return <OverviewPage />;
  if (path === '/people') return <PeoplePage />;
  if (path === '/sessions') return <SessionsPage />;
  if (path === '/cost') return <CostPage />;
  if (path === '/tools') return <ToolsPage />;
  if (path === '/discovery') return <DiscoveryPage />;
  if (path === '/graph') {
    return (
      <Suspense fallback={<Loading what="the access graph" />}>
        <GraphPage />
      </Suspense>
    );
  }
  if (path === '/inventory') return <InventoryPage />;
  if (path === '/cadences') return <CadencesPage />;
  if (path === '/raci') return <RaciPage />;
  if (path === '/forum') return <ForumPage />;
  if (path === '/scorecard') return <ScorecardPage />;
  if (path === '/findings') return <FindingsPage />;
  if (path === '/audit') return <AuditPage />;
  const object = match('/inventory/:kind/:id', path);
  const kind = object?.kind ? kindFromPath(object.kind) : undefined;
  if (object?.id && kind) return <InventoryObjectPage key={`${kind}/${object.id}`} kind={kind} id={object.id} />;
  const person = match('/people/:id', path);
  if (person?.id) return <PersonPage key={person.id} id={person.id} />;
  const session = match('/sessions/:id', path);
  if (session?.id) return <SessionPage key={session.id} id={session.id} />;
  return <NotFoundPage path={path} />;
}

const tokenListeners = new Set<() => void>();
/** Whether the last sign-out was the server refusing the token (as opposed to the Sign out button). */
let expired = false;
onSignedOut(() => {
  expired = true;
});
function useSignedIn(): boolean {
  return useSyncExternalStore(
    (l) => {
      tokenListeners.add(l);
      const off = onSignedOut(l);
      return () => {
        tokenListeners.delete(l);
        off();
      };
    },
    () => storedToken() !== null,
  );
}

export function App() {
  const { path, query } = useLocation();
  const signedIn = useSignedIn();

  useEffect(() => {
    if (!signedIn && path !== '/login') {
      const here = window.location.pathname + window.location.search;
      const q = new URLSearchParams();
      if (here !== '/') q.set('next', here);
      if (expired) q.set('reason', 'expired');
      navigate(q.size ? `/login?${q.toString()}` : '/login', { replace: true });
    }
  }, [signedIn, path]);

  if (path === '/login') {
    const next = query.get('next') ?? '/';
    if (signedIn) {
      navigate(next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
      return null;
    }
    return <LoginPage next={next} reason={query.get('reason')} />;
  }
  if (!signedIn) return null;

  const section = path.split('/')[1] ?? '';
  const signOut = (): void => {
    forgetToken();
    expired = false;
    for (const l of tokenListeners) l();
  };
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <Link href="/" className="brand">
          <img src="/favicon.svg" alt="" width={24} height={24} /> Steward
        </Link>
        <nav aria-label="Console">
          <NavList items={NAV} section={section} />
          <p className="nav-heading" id="nav-governance">
            Governance
          </p>
          <NavList items={GOVERNANCE_NAV} section={section} labelledBy="nav-governance" />
        </nav>
        <div className="sidebar-footer">
          <ThemeSelect />
          <button type="button" className="button button-quiet" onClick={signOut}>
            Sign out
          </button>
        </div>
      </aside>
      <main id="main" className="main">
        {route(path)}
      </main>
    </div>
  );
}

function NavList({
  items,
  section,
  labelledBy,
}: {
  items: { href: string; label: string; section: string }[];
  section: string;
  labelledBy?: string;
}) {
  return (
    <ul className="nav" aria-labelledby={labelledBy}>
      {items.map((n) => (
        <li key={n.href}>
          <Link href={n.href} aria-current={n.section === section ? 'page' : undefined}>
            {n.label}
          </Link>
        </li>
      ))}
    </ul>
  );
}

function ThemeSelect() {
  const choice = useThemeChoice();
  return (
    <label className="theme-select">
      <span>Theme</span>
      <select value={choice} onChange={(e) => setThemeChoice(e.target.value as ThemeChoice)}>
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}
