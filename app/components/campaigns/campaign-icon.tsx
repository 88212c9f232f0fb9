import type { SVGProps } from "react";

/** A megaphone, for the Campaigns area (same 24×24 stroke style as components/icons.tsx). */
export function CampaignIcon(props: SVGProps<SVGSVGElement>) {
  return (
    <svg
      viewBox="0 0 24 24"
      width="20"
      height="20"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...props}
    >
      <path d="M3 10v4a1 1 0 0 0 1 1h3l6 4V5L7 9H4a1 1 0 0 0-1 1Z" />
      <path d="M17 8.5a5 5 0 0 1 0 7" />
      <path d="M7 15l1.5 5h3L10 16.5" />
    </svg>
  );
}
