"""Collection configuration (采集表配置): delivered layouts mapped onto the ODS, declared as data."""
