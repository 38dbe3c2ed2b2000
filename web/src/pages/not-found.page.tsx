import { EmptyState } from '../components/empty-state';
import { Page } from '../components/page';
import { Link } from '../router';

export function NotFoundPage({ path }: { path: string }) {
  return (
    <Page title="Page not found">
      <EmptyState title={`Nothing lives at ${path}`}>
        <p>
          The console has Overview, People, Sessions, Tools &amp; connectors, Discovery, Access graph and Cost.{' '}
          <Link href="/">Go to the overview</Link>.
        </p>
      </EmptyState>
    </Page>
  );
}
