-- Raw-file ledger: every raw file the warehouse recorded, per batch, with what
-- identifies its content (size, change token, hash), to find done batches whose
-- files changed since.
select batch_id, table_name, file_path, size_bytes, change_token, content_hash
from audit.batch_files;
