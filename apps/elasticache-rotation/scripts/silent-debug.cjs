/**
 * Stands in for the `debug` package in the Lambda bundle. ioredis logs every command's arguments through
 * it when DEBUG=ioredis:* is set, AUTH's password included; in the rotation function no environment
 * variable may turn that on. Same call shape as `debug`: createDebug(namespace) -> a disabled logger.
 */
function createDebug(namespace) {
  const log = () => {};
  log.namespace = namespace;
  log.enabled = false;
  log.log = () => {};
  log.destroy = () => true;
  log.extend = (suffix) => createDebug(`${namespace}:${suffix}`);
  return log;
}
createDebug.enable = () => {};
createDebug.disable = () => '';
createDebug.enabled = () => false;
module.exports = createDebug;
module.exports.default = createDebug;
