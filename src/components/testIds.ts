export const testIds = {
  appConfig: {
    container: 'data-testid ac-container',
    datasource: 'data-testid ac-datasource',
    window: 'data-testid ac-window',
    metricName: 'data-testid ac-metric-name',
    challengeIdLabel: 'data-testid ac-challenge-id-label',
    challengeNameLabel: 'data-testid ac-challenge-name-label',
    usernameLabel: 'data-testid ac-username-label',
    namespaceLabel: 'data-testid ac-namespace-label',
    clusterLabel: 'data-testid ac-cluster-label',
    submit: 'data-testid ac-submit-form',
  },
};
