import type { ReactNode } from "react";
import { DownloadIcon } from "./icons";

/** A secondary button that downloads a file (a CSV, a summary) from `href`. */
export function DownloadButton({
  href,
  children,
  small = false,
}: {
  href: string;
  children: ReactNode;
  small?: boolean;
}) {
  const size = small ? 15 : 16;
  return (
    <a className={`button button--secondary${small ? " button--sm" : ""}`} href={href} download>
      <DownloadIcon width={size} height={size} />
      {children}
    </a>
  );
}
