-- One database per service that owns data (invoice shards have servers of their own).
create database fiscal_auth;
create database fiscal_query;
create database fiscal_analytics;
create database fiscal_notification;
