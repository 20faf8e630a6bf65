/**
 * Core's tests use testkit's recording mock engine (the one mock of the contract, decision 0110) under the
 * names they were written with.
 */
export {
  createMockEngine as createFakeEngine,
  type MockCapabilities as FakeCapabilities,
  type MockEngineOptions as FakeEngineOptions,
  type MockSecret as FakeSecret,
  MockTarget as FakeTarget,
  type MockUser as FakeUser,
  mockPasswordPolicy as fakePolicy,
  mockSecretSchema as fakeSecretSchema,
} from '@rotor/testkit/mock-engine';
