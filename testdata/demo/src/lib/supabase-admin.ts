import { createClient } from "@supabase/supabase-js";

// Server-side admin client.
const SERVICE_ROLE_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6Imp1dGN4Y2l2ZnNmb3ljd2xjdm1iIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoyMDAwMDAwMDAwfQ.QedNjIXkvnUAPDZIRk9LVLHfhrzNubhnlcJy0LkPibM";

export const admin = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, SERVICE_ROLE_KEY);
