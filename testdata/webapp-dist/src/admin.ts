import { config } from "./config";

const githubToken = import.meta.env.VITE_GITHUB_TOKEN;
export async function listRepos() {
  const r = await fetch("https://api.github.com/user/repos", { headers: { Authorization: `token ${githubToken}` } });
  return r.json();
}
console.log(config.model);
