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
    submit: 'data-testid ac-submit-form',
  },
  pageOne: {
    container: 'data-testid pg-one-container',
    navigateToFour: 'data-testid navigate-to-four',
  },
  pageTwo: {
    container: 'data-testid pg-two-container',
  },
  pageThree: {
    container: 'data-testid pg-three-container',
  },
  pageFour: {
    container: 'data-testid pg-four-container',
    navigateBack: 'data-testid navigate-back',
  },
};
