/**
 * The names fwadm's errors had, kept for the modules outside src/core that
 * still import them: they are the project's one error base and its
 * not-found kind (core/errors), which carry several messages. Nothing in
 * src/core uses these names.
 */
export { AppError as FwError, NotFoundError as FwNotFoundError } from '../errors';
