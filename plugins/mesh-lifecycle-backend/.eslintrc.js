module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: {
    // expectMatchesSpec (src/schema/__testUtils__) asserts too.
    'jest/expect-expect': [
      'warn',
      { assertFunctionNames: ['expect', 'expectMatchesSpec'] },
    ],
  },
});
