import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express, { type Express } from "express";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestContext, type AppServices } from "../trpc/context";
import { createCaller } from "../trpc/router";
import { cspNonceOf } from "./security";

export const BUILD_DIR = path.resolve("build");

/**
 * Serves the Remix app: the production build from ./build, or (development) through Vite's
 * middleware with the build loaded on each request.
 */
export async function mountRemix(app: Express, services: AppServices, mode: "production" | "development") {
  const getLoadContext = async (req: express.Request, res: express.Response) => {
    const ctx = await createRequestContext(services, req, res);
    return { ctx, trpc: createCaller(ctx), cspNonce: cspNonceOf(res) };
  };

  if (mode === "development") {
    const vite = await import("vite");
    const devServer = await vite.createServer({ server: { middlewareMode: true }, appType: "custom" });
    app.use(devServer.middlewares);
    app.all("*", async (req, res, next) => {
      try {
        const build = (await devServer.ssrLoadModule("virtual:remix/server-build")) as ServerBuild;
        return createRequestHandler({ build, getLoadContext, mode })(req, res, next);
      } catch (error) {
        next(error);
      }
    });
    return () => devServer.close();
  }

  const serverEntry = path.join(BUILD_DIR, "server", "index.js");
  const build = (await import(pathToFileURL(serverEntry).href)) as ServerBuild;
  app.use("/assets", express.static(path.join(BUILD_DIR, "client", "assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(BUILD_DIR, "client"), { maxAge: "1h", index: false }));
  app.all("*", createRequestHandler({ build, getLoadContext, mode }));
  return async () => {};
}
