/** `pnpm synth`: writes the cloud assembly to cdk.out/ (what `cdk synth` would), without deploying anything. */
import { App } from 'aws-cdk-lib';
import { RotationStack } from './rotation-stack.js';

const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out' });
new RotationStack(app, 'RotorRotations', { env: { account: '123456789012', region: 'eu-west-1' } });
const assembly = app.synth();
console.log(
  `synthesized ${assembly.stacks.map((stack) => stack.stackName).join(', ')} into ${assembly.directory}`,
);
