import React from 'react';
import { Alert, TextLink } from '@grafana/ui';
import { ROUTES } from '../../constants';
import { prefixRoute } from '../../utils/utils.routing';

/** A per-user URL whose user part is not one the matrix links to (edited by hand or cut short). */
export function UnknownUserMessage() {
  return (
    <Alert severity="warning" title="Unknown user link">
      This address does not name a user. Open a user from the{' '}
      <TextLink href={prefixRoute(ROUTES.UsersChallenges)}>Users x Challenges</TextLink> matrix.
    </Alert>
  );
}
