import type { Request, Response } from "express";
import { ZodError } from "zod";
import { DomainError, HTTP_STATUS } from "../errors";
import { createRequestContext, type AppServices, type RequestContext } from "../trpc/context";
import { describeZodError } from "../trpc/init";

type Handler = (ctx: RequestContext, req: Request, res: Response) => Promise<void>;

/**
 * An Express route with the same request context as tRPC; domain and validation errors become
 * plain-text answers with their status, and an error mid-stream ends the response.
 */
export function scopedRoute(handler: Handler) {
  return (services: AppServices) => async (req: Request, res: Response) => {
    try {
      await handler(await createRequestContext(services, req, res), req, res);
    } catch (error) {
      if (res.headersSent) {
        (res.locals.log ?? services.logger).error({ err: error }, "response failed mid-stream");
        res.destroy(error as Error);
        return;
      }
      if (error instanceof DomainError) {
        res.status(HTTP_STATUS[error.code]).type("text/plain").send(error.message);
      } else if (error instanceof ZodError) {
        res.status(400).type("text/plain").send(describeZodError(error));
      } else {
        throw error;
      }
    }
  };
}
