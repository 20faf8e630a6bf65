import { Logger } from '@aws-lambda-powertools/logger';

/** The function's one logger: structured JSON; level from POWERTOOLS_LOG_LEVEL / AWS_LAMBDA_LOG_LEVEL. */
export const logger = new Logger({ serviceName: 'rotor-postgres-rotation' });
