/**
 * Errors a command raises on purpose: the project's one base (core/errors),
 * under the names the commands have always used. The base command prints
 * them as one line on stderr (`<bin>: <message>`), without a stack, with
 * their exit status: 1 for bad input, 2 for a usage error.
 */
export { AppError as InputError, UsageError } from '../core/errors';
