// Shared configuration for the admin panel.
export const config = {
  openaiKey: "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",
  model: "gpt-4o-mini",
};
