import boto3

s3 = boto3.client(
    "s3",
    aws_access_key_id="AKIAFDLZQYDA6OYHC2ZW",
    aws_secret_access_key="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",
)
